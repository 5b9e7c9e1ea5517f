//! k8s/db-bootstrap/bootstrap.sql, run with psql as the Job runs it, against the test server:
//! each service's role owns its database and can apply that service's real migrations there,
//! and nothing else — no other service's database, no CREATE DATABASE, no CREATE ROLE. Names
//! get a per-run prefix, so this runs beside everything else and leaves nothing behind.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::{Command, Output};

use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use idaas_db::{embed_migrations, EmbeddedMigrations};

const SCRIPT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../k8s/db-bootstrap/bootstrap.sql"
);

const SERVICES: [&str; 5] = [
    "identity",
    "transaction",
    "ledger",
    "webhook_dispatcher",
    "settlement",
];

const IDENTITY: EmbeddedMigrations = embed_migrations!("../migrations/identity");
const TRANSACTION: EmbeddedMigrations = embed_migrations!("../migrations/transaction");
const LEDGER: EmbeddedMigrations = embed_migrations!("../migrations/ledger");
const DISPATCHER: EmbeddedMigrations = embed_migrations!("../migrations/webhook-dispatcher");
const SETTLEMENT: EmbeddedMigrations = embed_migrations!("../migrations/settlement");

/// The same files the services embed, so "the role can migrate" is checked on the real DDL.
fn migrations(service: &str) -> EmbeddedMigrations {
    match service {
        "identity" => IDENTITY,
        "transaction" => TRANSACTION,
        "ledger" => LEDGER,
        "webhook_dispatcher" => DISPATCHER,
        "settlement" => SETTLEMENT,
        other => panic!("no migrations for {other}"),
    }
}

/// The test server, as every other test finds it, without a trailing slash.
fn server() -> String {
    idaas_testkit::postgres_server_url()
        .trim_end_matches('/')
        .to_owned()
}

/// `host:port` of the test server, to log in there as a service role.
fn host_port() -> String {
    let s = server();
    let rest = s.split_once("://").map_or(s.as_str(), |(_, r)| r);
    let rest = rest.rsplit_once('@').map_or(rest, |(_, r)| r);
    rest.split(['/', '?']).next().unwrap().to_owned()
}

struct Run {
    prefix: String,
    passwords: Vec<(String, String)>,
    /// Runs the script as this non-superuser administrator (CREATEDB CREATEROLE, as on a
    /// managed server) instead of the test server's superuser.
    admin: Option<String>,
}

impl Run {
    fn new() -> Self {
        let prefix = format!("bt{}_", &uuid::Uuid::new_v4().simple().to_string()[..10]);
        let passwords = SERVICES
            .iter()
            .map(|s| (s.to_string(), uuid::Uuid::new_v4().simple().to_string()))
            .collect();
        Self {
            prefix,
            passwords,
            admin: None,
        }
    }

    /// Like `new`, with a CREATEDB CREATEROLE administrator (no superuser) of its own.
    fn as_managed_admin() -> Self {
        let mut run = Self::new();
        let admin = format!("{}admin", run.prefix);
        let out = psql_admin(&[&format!(
            "CREATE ROLE \"{admin}\" LOGIN CREATEDB CREATEROLE PASSWORD '{}'",
            run.password("identity")
        )]);
        assert!(out.status.success(), "{}", text(&out));
        run.admin = Some(admin);
        run
    }

    /// Where the script connects: the server as its superuser, or as the run's administrator.
    fn admin_url(&self) -> String {
        match &self.admin {
            None => format!("{}/postgres", server()),
            Some(admin) => format!(
                "postgres://{admin}:{}@{}/postgres",
                self.password("identity"),
                host_port()
            ),
        }
    }

    fn role(&self, service: &str) -> String {
        format!("{}{service}", self.prefix)
    }

    fn password(&self, service: &str) -> &str {
        &self.passwords.iter().find(|(s, _)| s == service).unwrap().1
    }

    /// psql as the Job calls it: the script from a file, inputs in the environment only.
    fn bootstrap(&self, skip: Option<&str>) -> Output {
        let mut cmd = Command::new("psql");
        cmd.args(["-X", "-d", &self.admin_url(), "-f", SCRIPT])
            .env("IDAAS_DB_PREFIX", &self.prefix);
        for (service, pw) in &self.passwords {
            let var = format!("IDAAS_DB_PASSWORD_{}", service.to_uppercase());
            if skip == Some(service.as_str()) {
                cmd.env_remove(var);
            } else {
                cmd.env(var, pw);
            }
        }
        cmd.output()
            .expect("psql runs (scripts/test.sh installs the PostgreSQL client)")
    }

    fn url_as(&self, service: &str, database: &str) -> String {
        format!(
            "postgres://{}:{}@{}/{database}",
            self.role(service),
            self.password(service),
            host_port()
        )
    }

    async fn admin(&self) -> AsyncPgConnection {
        AsyncPgConnection::establish(&format!("{}/postgres", server()))
            .await
            .unwrap()
    }
}

impl Drop for Run {
    fn drop(&mut self) {
        let mut sql = Vec::new();
        for (service, _) in &self.passwords {
            let name = self.role(service);
            sql.push(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"));
            sql.push(format!("DROP ROLE IF EXISTS \"{name}\""));
        }
        if let Some(admin) = &self.admin {
            sql.push(format!("DROP ROLE IF EXISTS \"{admin}\""));
        }
        let _ = psql_admin(&sql.iter().map(String::as_str).collect::<Vec<_>>());
    }
}

/// Statements as the test server's superuser, each in its own transaction.
fn psql_admin(statements: &[&str]) -> Output {
    let mut cmd = Command::new("psql");
    cmd.args([
        "-X",
        "-q",
        "-v",
        "ON_ERROR_STOP=1",
        "-d",
        &format!("{}/postgres", server()),
    ]);
    for sql in statements {
        cmd.args(["-c", sql]);
    }
    cmd.output()
        .expect("psql runs (scripts/test.sh installs the PostgreSQL client)")
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

async fn execute_as(url: &str, sql: &str) -> Result<(), String> {
    let mut c = AsyncPgConnection::establish(url)
        .await
        .map_err(|e| e.to_string())?;
    diesel::sql_query(sql)
        .execute(&mut c)
        .await
        .map(|_| ())
        .map_err(|e| e.to_string())
}

#[tokio::test]
async fn each_role_migrates_its_own_database_and_reaches_nothing_else() {
    confined(Run::new()).await;
}

#[tokio::test]
async fn a_managed_servers_administrator_without_superuser_gets_the_same() {
    let run = Run::as_managed_admin();
    let admin = run.admin.clone().unwrap_or_default();
    let run = confined(run).await;
    // The administrator held each role only for the moment it needed to.
    let out = psql_admin(&[&format!(
        "DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_auth_members a JOIN pg_roles m ON m.oid = a.member \
         WHERE m.rolname = '{admin}') THEN RAISE EXCEPTION 'still a member'; END IF; END $$"
    )]);
    assert!(out.status.success(), "{}", text(&out));
    drop(run);
}

/// Bootstraps, then checks each role against its own and the other databases.
async fn confined(run: Run) -> Run {
    let out = run.bootstrap(None);
    assert!(out.status.success(), "bootstrap failed: {}", text(&out));
    assert!(text(&out).contains("ready"), "{}", text(&out));
    // Idempotent: a second run (a rotation, a redeploy) changes nothing that matters.
    let again = run.bootstrap(None);
    assert!(
        again.status.success(),
        "second run failed: {}",
        text(&again)
    );

    for service in SERVICES {
        let own = run.url_as(service, &run.role(service));
        idaas_db::run_migrations(&own, migrations(service))
            .await
            .unwrap_or_else(|e| panic!("{service} cannot migrate its own database: {e}"));
        // Twice: a second replica starting finds everything applied.
        idaas_db::run_migrations(&own, migrations(service))
            .await
            .unwrap();

        for other in SERVICES.iter().filter(|o| **o != service) {
            let theirs = run.url_as(service, &run.role(other));
            let refused = AsyncPgConnection::establish(&theirs).await.err();
            let why = refused.map(|e| e.to_string()).unwrap_or_default();
            assert!(
                why.contains("permission denied"),
                "{service} reached {other}'s database: {why:?}"
            );
        }
        for sql in [
            "CREATE DATABASE not_allowed",
            "CREATE ROLE not_allowed",
            "ALTER ROLE CURRENT_USER SUPERUSER",
        ] {
            let e = execute_as(&own, sql).await.err().unwrap_or_default();
            assert!(
                e.contains("permission denied") || e.contains("must be superuser"),
                "{service}: {sql} was not refused: {e:?}"
            );
        }
    }
    // The admin (an ordinary superuser here) still sees a database the roles own.
    let mut admin = run.admin().await;
    let owned = diesel::sql_query(format!(
        "SELECT 1 FROM pg_database d JOIN pg_roles r ON r.oid = d.datdba \
         WHERE d.datname = '{0}ledger' AND r.rolname = '{0}ledger'",
        run.prefix
    ))
    .execute(&mut admin)
    .await
    .unwrap();
    assert_eq!(owned, 1, "the ledger database is not owned by its role");
    run
}

#[tokio::test]
async fn an_existing_database_of_another_owner_is_refused_not_adopted() {
    let run = Run::new();
    let name = run.role("ledger");
    let out = psql_admin(&[&format!("CREATE DATABASE \"{name}\"")]);
    assert!(out.status.success(), "{}", text(&out));
    let out = run.bootstrap(None);
    assert!(!out.status.success(), "adopted a database it does not own");
    let said = text(&out);
    assert!(
        said.contains(&name) && said.contains("is not its role"),
        "the refusal does not say which database and why: {said}"
    );
}

#[tokio::test]
async fn memberships_granted_behind_its_back_are_taken_away() {
    let run = Run::new();
    assert!(run.bootstrap(None).status.success());
    let role = run.role("ledger");
    let out = psql_admin(&[&format!("GRANT pg_read_all_data TO \"{role}\"")]);
    assert!(out.status.success(), "{}", text(&out));
    let out = run.bootstrap(None);
    assert!(out.status.success(), "{}", text(&out));
    let other = run.url_as("ledger", &run.role("ledger"));
    let e = execute_as(&other, "SET ROLE pg_read_all_data").await.err();
    assert!(
        e.unwrap_or_default().contains("permission denied"),
        "the ledger role still holds pg_read_all_data"
    );
}

#[tokio::test]
async fn a_missing_password_stops_the_run_before_anything_changes() {
    let run = Run::new();
    let out = run.bootstrap(Some("ledger"));
    assert!(!out.status.success(), "ran without a ledger password");
    let said = text(&out);
    assert!(
        said.contains(&format!("{}ledger", run.prefix)) && said.contains("password"),
        "the error does not name what is missing: {said}"
    );
    let mut admin = run.admin().await;
    let created = diesel::sql_query(format!(
        "SELECT 1 FROM pg_roles WHERE rolname LIKE '{}%'",
        run.prefix
    ))
    .execute(&mut admin)
    .await
    .unwrap();
    assert_eq!(created, 0, "a refused run created roles");
}

#[derive(diesel::QueryableByName)]
struct Verifier {
    #[diesel(sql_type = diesel::sql_types::Text)]
    v: String,
}

/// What the server stores for a role's password (the test server may trust local logins, so
/// a login with the old password would prove nothing; the stored verifier does).
async fn verifier(admin: &mut AsyncPgConnection, role: &str) -> String {
    diesel::sql_query("SELECT rolpassword AS v FROM pg_authid WHERE rolname = $1")
        .bind::<diesel::sql_types::Text, _>(role)
        .get_result::<Verifier>(admin)
        .await
        .unwrap()
        .v
}

#[tokio::test]
async fn a_rotated_password_replaces_the_old_one() {
    let mut run = Run::new();
    assert!(run.bootstrap(None).status.success());
    let mut admin = run.admin().await;
    let role = run.role("settlement");
    let before = verifier(&mut admin, &role).await;
    assert!(before.starts_with("SCRAM-SHA-256$"), "stored as {before:?}");
    for (_, pw) in &mut run.passwords {
        *pw = uuid::Uuid::new_v4().simple().to_string();
    }
    let out = run.bootstrap(None);
    assert!(out.status.success(), "{}", text(&out));
    let after = verifier(&mut admin, &role).await;
    assert!(
        after.starts_with("SCRAM-SHA-256$") && after != before,
        "password not replaced"
    );
    execute_as(&run.url_as("settlement", &role), "SELECT 1")
        .await
        .unwrap();
}
