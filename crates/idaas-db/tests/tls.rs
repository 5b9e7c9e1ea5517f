//! PostgreSQL over TLS against the local server: the test makes a CA and a server certificate
//! for 127.0.0.1, switches the server to them (ALTER SYSTEM + reload, put back afterwards), and
//! connects in every sslmode — verify-full with the right CA and with a stranger's, the pool
//! included. Where the server is not local (its data directory is not on this machine), the
//! test says so and passes, except in CI, where it must run.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::{os::unix::fs::MetadataExt, path::PathBuf, time::Duration};

use diesel::{sql_types::Bool, QueryableByName};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use futures_util::FutureExt;
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair};

fn server() -> String {
    std::env::var("IDAAS_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".into())
        .trim_end_matches('/')
        .to_owned()
}

#[derive(QueryableByName)]
struct Text {
    #[diesel(sql_type = diesel::sql_types::Text)]
    v: String,
}

#[derive(QueryableByName)]
struct Encrypted {
    #[diesel(sql_type = Bool)]
    ssl: bool,
}

async fn show(c: &mut AsyncPgConnection, setting: &str) -> String {
    diesel::sql_query(format!("SELECT current_setting('{setting}') AS v"))
        .get_result::<Text>(c)
        .await
        .unwrap()
        .v
}

async fn run(c: &mut AsyncPgConnection, sql: &str) {
    diesel::sql_query(sql).execute(c).await.unwrap();
}

async fn encrypted(url: &str) -> Result<bool, String> {
    let mut c = idaas_db::tls::establish(url)
        .await
        .map_err(|e| e.to_string())?;
    diesel::sql_query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
        .get_result::<Encrypted>(&mut c)
        .await
        .map(|r| r.ssl)
        .map_err(|e| e.to_string())
}

struct Pki {
    ca: String,
    cert: String,
    key: String,
}

fn pki() -> Pki {
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "idaas test CA");
    let ca_key = KeyPair::generate().unwrap();
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let mut params =
        CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()]).unwrap();
    params
        .distinguished_name
        .push(DnType::CommonName, "127.0.0.1");
    let key = KeyPair::generate().unwrap();
    let cert = params.signed_by(&key, &ca, &ca_key).unwrap();
    Pki {
        ca: ca.pem(),
        cert: cert.pem(),
        key: key.serialize_pem(),
    }
}

#[tokio::test]
async fn every_sslmode_against_the_local_server_with_its_tls_switched_on() {
    let server = server();
    let mut admin = idaas_db::tls::establish(&format!("{server}/postgres?sslmode=disable"))
        .await
        .expect("the local PostgreSQL (IDAAS_TEST_DATABASE_URL)");
    let data = PathBuf::from(show(&mut admin, "data_directory").await);
    let Ok(meta) = std::fs::metadata(&data) else {
        assert!(
            std::env::var("CI").is_err(),
            "CI must test PostgreSQL TLS: the server's data directory {} is not on this machine",
            data.display()
        );
        eprintln!("skipped: PostgreSQL's data directory is not on this machine");
        return;
    };
    // The files live in the data directory, owned by the server's user: a server restarted
    // before they are put back still finds them.
    let dir = data.join("idaas-test-tls");
    std::fs::create_dir_all(&dir).unwrap();
    let mine = pki();
    let stranger = pki();
    for (name, body) in [
        ("ca.pem", &mine.ca),
        ("server.pem", &mine.cert),
        ("server.key", &mine.key),
        ("stranger-ca.pem", &stranger.ca),
    ] {
        let path = dir.join(name);
        std::fs::write(&path, body).unwrap();
        std::os::unix::fs::chown(&path, Some(meta.uid()), Some(meta.gid())).unwrap();
        std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o600))
            .unwrap();
    }
    std::os::unix::fs::chown(&dir, Some(meta.uid()), Some(meta.gid())).unwrap();
    // The test's own copy of the CA (the server's copy is readable by its user only; we are
    // root here, but a client need not be).
    let ca = std::env::temp_dir().join(format!("idaas-test-ca-{}.pem", std::process::id()));
    std::fs::write(&ca, &mine.ca).unwrap();
    let stranger_ca = dir.join("stranger-ca.pem");

    run(
        &mut admin,
        &format!(
            "ALTER SYSTEM SET ssl_cert_file = '{}'",
            dir.join("server.pem").display()
        ),
    )
    .await;
    run(
        &mut admin,
        &format!(
            "ALTER SYSTEM SET ssl_key_file = '{}'",
            dir.join("server.key").display()
        ),
    )
    .await;
    run(&mut admin, "ALTER SYSTEM SET ssl = on").await;
    run(&mut admin, "SELECT pg_reload_conf()").await;

    let full = format!(
        "{server}/postgres?sslmode=verify-full&sslrootcert={}",
        ca.display()
    );
    let checks = async {
        // The reload is asynchronous: wait until the server presents our certificate.
        let mut last = Err(String::new());
        for _ in 0..100 {
            last = encrypted(&full).await;
            if last.is_ok() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(last, Ok(true), "verify-full with the right CA");

        // The pool, migrations and admin connections all go through the same set-up.
        let pool = idaas_db::connect(&full, 2, Default::default()).unwrap();
        idaas_db::ping(&pool).await.unwrap();

        let stranger_url = format!(
            "{server}/postgres?sslmode=verify-full&sslrootcert={}",
            stranger_ca.display()
        );
        let refused = encrypted(&stranger_url).await;
        assert!(
            refused.as_ref().is_err_and(|e| e.contains("certificate")),
            "a server whose chain is not the given CA's: {refused:?}"
        );
        let stranger_ca_mode = stranger_url.replace("verify-full", "verify-ca");
        assert!(encrypted(&stranger_ca_mode).await.is_err());

        let by_name = full.replace("127.0.0.1", "localhost");
        assert_eq!(
            encrypted(&by_name).await,
            Ok(true),
            "the certificate names localhost"
        );
        assert_eq!(
            encrypted(&full.replace("verify-full", "verify-ca")).await,
            Ok(true)
        );
        assert_eq!(
            encrypted(&format!("{server}/postgres?sslmode=require")).await,
            Ok(true)
        );
        assert_eq!(
            encrypted(&format!("{server}/postgres?sslmode=disable")).await,
            Ok(false)
        );
    };
    let outcome = std::panic::AssertUnwindSafe(checks).catch_unwind().await;

    // Put the server back as it was, whatever happened above.
    for setting in ["ssl_cert_file", "ssl_key_file", "ssl"] {
        run(&mut admin, &format!("ALTER SYSTEM RESET {setting}")).await;
    }
    run(&mut admin, "SELECT pg_reload_conf()").await;
    let _ = std::fs::remove_file(&ca);
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}
