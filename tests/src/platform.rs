use std::{
    collections::HashMap,
    fs::File,
    net::TcpListener,
    path::PathBuf,
    process::{Child, Command, Stdio},
    time::Duration,
};

use idaas_testkit::{kafka_brokers, postgres_server_url, redis_url, TestDb, TestKeys};

const SERVICES: [&str; 6] = [
    "identity",
    "transaction",
    "ledger",
    "webhook-dispatcher",
    "settlement",
    "gateway",
];

/// The running platform; dropping it stops every process and drops the databases.
pub struct Platform {
    pub gateway: String,
    pub http: reqwest::Client,
    /// The keys the platform runs with, so tests can forge (or legitimately mint) credentials.
    pub keys: TestKeys,
    /// The topic prefix of this platform's events.
    pub prefix: String,
    ports: HashMap<&'static str, u16>,
    admin_ports: HashMap<&'static str, u16>,
    databases: HashMap<&'static str, String>,
    children: Vec<(String, Child)>,
    log_dir: PathBuf,
    /// What every service was started with, and each one's own additions: a restart uses them.
    env: Vec<(String, String)>,
    service_env: Vec<(&'static str, String, String)>,
    _dbs: Vec<TestDb>,
}

/// What a test may swap for its own: a private Redis or broker it can pause or stop without
/// disturbing the tests running beside it.
#[derive(Debug, Clone, Default)]
pub struct PlatformOptions {
    pub redis_url: Option<String>,
    pub kafka_brokers: Option<String>,
    /// Extra `IDAAS__...` settings for every service.
    pub env: Vec<(String, String)>,
    /// Extra settings for one service: `(service, variable, value)`, after `env`.
    pub service_env: Vec<(&'static str, String, String)>,
}

/// A free port below Linux's ephemeral range (32768-60999): a port taken from that range and
/// let go could be reused at once as the source port of some process's outgoing connection
/// (to PostgreSQL, the broker) before our service binds it. Another test picking the same
/// port in the same moment is still possible; `start_with` then starts again.
pub fn free_port() -> u16 {
    loop {
        let [a, b, ..] = *uuid::Uuid::new_v4().as_bytes();
        let port = 20_000 + u16::from_le_bytes([a, b]) % 12_000;
        if TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
}

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn bin_dir() -> PathBuf {
    std::env::var("IDAAS_BIN_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| repo_root().join("target/debug"))
}

fn env_key(service: &str, key: &str) -> String {
    format!(
        "IDAAS__SERVICES__{}__{}",
        service.to_uppercase(),
        key.to_uppercase()
    )
}

impl Platform {
    pub async fn start() -> Platform {
        Self::start_with(PlatformOptions::default()).await
    }

    /// Starts the platform; if a service could not bind its port (another test took it in
    /// the moment between choosing and binding), starts again on other ports, up to 3 times.
    pub async fn start_with(opts: PlatformOptions) -> Platform {
        let mut failures = Vec::new();
        for _ in 0..3 {
            match Self::try_start(opts.clone()).await {
                Ok(p) => return p,
                Err(why) => failures.push(why),
            }
        }
        panic!(
            "the platform did not start in 3 attempts:\n{}",
            failures.join("\n")
        );
    }

    async fn try_start(opts: PlatformOptions) -> Result<Platform, String> {
        let bins = bin_dir();
        for s in SERVICES {
            assert!(
                bins.join(s).is_file(),
                "{} missing: build the services first (scripts/test.sh does: cargo build -p {s} ...)",
                bins.join(s).display()
            );
        }
        let ports: HashMap<&'static str, u16> =
            SERVICES.iter().map(|s| (*s, free_port())).collect();
        let admin_ports: HashMap<&'static str, u16> =
            SERVICES.iter().map(|s| (*s, free_port())).collect();
        let keys = TestKeys::generate();
        let prefix = format!("e{}.", &uuid::Uuid::new_v4().simple().to_string()[..12]);
        let log_dir =
            std::env::temp_dir().join(format!("idaas-e2e-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&log_dir).expect("log dir");

        let mut env: Vec<(String, String)> = vec![
            ("IDAAS_PROFILE".into(), "local".into()),
            (
                "IDAAS_CONFIG_DIR".into(),
                repo_root().join("config").display().to_string(),
            ),
            ("IDAAS__DATABASE__URL".into(), postgres_server_url()),
            ("IDAAS__DATABASE__POOL_SIZE".into(), "4".into()),
            (
                "IDAAS__REDIS__URL".into(),
                opts.redis_url.clone().unwrap_or_else(redis_url),
            ),
            (
                "IDAAS__KAFKA__BROKERS".into(),
                opts.kafka_brokers.clone().unwrap_or_else(kafka_brokers),
            ),
            ("IDAAS__KAFKA__TOPIC_PREFIX".into(), prefix.clone()),
            ("IDAAS__KAFKA__PARTITIONS".into(), "1".into()),
            (
                "IDAAS__KEYS__TOKEN_SIGNING_KEY".into(),
                keys.token_signing_key.clone(),
            ),
            (
                "IDAAS__KEYS__REQUEST_ENCRYPTION_KEY".into(),
                keys.request_encryption_key.clone(),
            ),
            ("IDAAS__KEYS__AT_REST_KEY".into(), keys.at_rest_key.clone()),
            (
                "IDAAS__AUTH__JWKS_URL".into(),
                format!(
                    "http://127.0.0.1:{}/.well-known/jwks.json",
                    ports["identity"]
                ),
            ),
            (
                "IDAAS__RATE_LIMITS__DEFAULT_PER_MINUTE".into(),
                "100000".into(),
            ),
            (
                "IDAAS__RATE_LIMITS__TOKEN_PER_MINUTE".into(),
                "100000".into(),
            ),
            (
                "IDAAS__RATE_LIMITS__TRANSACTIONS_PER_MINUTE".into(),
                "100000".into(),
            ),
            (
                "IDAAS__RATE_LIMITS__CONSENT_PER_MINUTE".into(),
                "100000".into(),
            ),
            ("IDAAS__TELEMETRY__LOG_FORMAT".into(), "json".into()),
            ("RUST_LOG".into(), "info".into()),
        ];
        env.extend(keys.service_auth_env());
        env.extend(opts.env.iter().cloned());
        let mut dbs = Vec::new();
        let mut databases = HashMap::new();
        for s in SERVICES {
            env.push((env_key(s, "port"), ports[s].to_string()));
            env.push((env_key(s, "admin_port"), admin_ports[s].to_string()));
            env.push((env_key(s, "url"), format!("http://127.0.0.1:{}", ports[s])));
            if s != "gateway" {
                let db = TestDb::create().await;
                env.push((env_key(s, "database"), db.name.clone()));
                databases.insert(s, db.name.clone());
                dbs.push(db);
            }
        }

        let mut platform = Platform {
            gateway: format!("http://127.0.0.1:{}", ports["gateway"]),
            http: reqwest::Client::new(),
            keys,
            prefix,
            ports,
            admin_ports,
            databases,
            children: Vec::new(),
            log_dir,
            env,
            service_env: opts.service_env,
            _dbs: dbs,
        };
        for s in SERVICES {
            let child = platform.spawn(s);
            platform.children.push((s.to_owned(), child));
        }
        platform.wait_healthy().await?;
        Ok(platform)
    }

    /// Starts one service's process; its output is appended to its log.
    fn spawn(&self, service: &str) -> Child {
        let log = File::options()
            .create(true)
            .append(true)
            .open(self.log_dir.join(format!("{service}.log")))
            .expect("log file");
        let err = log.try_clone().expect("log file");
        let own = self
            .service_env
            .iter()
            .filter(|(s, _, _)| *s == service)
            .map(|(_, k, v)| (k.as_str(), v.as_str()));
        Command::new(bin_dir().join(service))
            .envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .envs(own)
            .stdout(Stdio::from(log))
            .stderr(Stdio::from(err))
            .spawn()
            .unwrap_or_else(|e| panic!("start {service}: {e}"))
    }

    /// SIGKILL, as when a node dies: nothing is flushed, nothing is finished.
    pub fn kill(&mut self, service: &str) {
        let child = self.child(service);
        child.kill().expect("SIGKILL");
        child.wait().expect("wait");
    }

    /// Starts a stopped (terminated or killed) service again and waits until it is ready.
    pub async fn restart(&mut self, service: &str) {
        let child = self.spawn(service);
        *self.child(service) = child;
        if let Err(why) = self.wait_healthy().await {
            panic!("{service} did not come back: {why}");
        }
    }

    fn child(&mut self, service: &str) -> &mut Child {
        &mut self
            .children
            .iter_mut()
            .find(|(s, _)| s == service)
            .unwrap_or_else(|| panic!("no service {service}"))
            .1
    }

    /// Every process ready (its own database; a broker outage does not count, on purpose).
    /// Every service ready on its own port. A service that exited (its port was taken, so the
    /// answer on that port may be another test's) is an error: the caller starts again.
    async fn wait_healthy(&mut self) -> Result<(), String> {
        let urls: Vec<String> = SERVICES
            .iter()
            .map(|s| format!("{}/actuator/health/readiness", self.service_url(s)))
            .collect();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
        loop {
            let mut ready = true;
            for url in &urls {
                let ok = match self.http.get(url).send().await {
                    Ok(r) => r.status().is_success(),
                    Err(_) => false,
                };
                ready &= ok;
            }
            let exited = self.children.iter_mut().find_map(|(service, child)| {
                child
                    .try_wait()
                    .ok()
                    .flatten()
                    .map(|status| format!("{service} exited ({status})"))
            });
            if let Some(exited) = exited {
                return Err(format!("{exited}\n{}", self.logs()));
            }
            if ready {
                return Ok(());
            }
            if tokio::time::Instant::now() > deadline {
                panic!("platform not healthy after 120 s\n{}", self.logs());
            }
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
    }

    /// The tail of every service log, for failure messages.
    pub fn logs(&self) -> String {
        let mut out = String::new();
        for (s, _) in &self.children {
            let text =
                std::fs::read_to_string(self.log_dir.join(format!("{s}.log"))).unwrap_or_default();
            let tail: Vec<&str> = text.lines().rev().take(20).collect();
            out.push_str(&format!("--- {s} ---\n"));
            for line in tail.into_iter().rev() {
                out.push_str(line);
                out.push('\n');
            }
        }
        out
    }

    /// Registers an application (encryption off), and returns `(id, handle, token)`.
    pub async fn register(&self, prefix: &str) -> (String, String, String) {
        let handle = format!(
            "{prefix}{}",
            &uuid::Uuid::new_v4().simple().to_string()[..8]
        );
        let reg: serde_json::Value = self
            .http
            .post(self.api("/v1/applications"))
            .json(&serde_json::json!({"name": format!("App {handle}"), "appHandle": handle, "encryptionEnabled": false}))
            .send()
            .await
            .expect("register")
            .json()
            .await
            .expect("register body");
        let tok: serde_json::Value = self
            .http
            .post(self.api("/v1/auth/token"))
            .json(&serde_json::json!({"client_id": reg["data"]["clientId"], "client_secret": reg["data"]["clientSecret"]}))
            .send()
            .await
            .expect("token")
            .json()
            .await
            .expect("token body");
        (
            reg["data"]["id"].as_str().unwrap_or_default().to_owned(),
            handle,
            tok["data"]["token"].as_str().unwrap_or_default().to_owned(),
        )
    }

    pub fn api(&self, path: &str) -> String {
        format!("{}/api{path}", self.gateway)
    }

    /// Sends SIGTERM to a service, as Kubernetes does on a rolling update, and waits up to 20 s
    /// for it to exit: its exit status and how long it took.
    pub async fn terminate(&mut self, service: &str) -> (std::process::ExitStatus, Duration) {
        let started = std::time::Instant::now();
        let pid = self.child(service).id();
        let sent = Command::new("kill")
            .args(["-TERM", &pid.to_string()])
            .status()
            .expect("kill");
        assert!(sent.success(), "SIGTERM to {service}");
        loop {
            if let Some(status) = self.child(service).try_wait().expect("wait") {
                return (status, started.elapsed());
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "{service} still running 20 s after SIGTERM\n{}",
                self.logs()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// A service's own port, as another pod in the cluster would reach it.
    pub fn service_url(&self, service: &str) -> String {
        format!("http://127.0.0.1:{}", self.ports[service])
    }

    /// A service's admin listener (`/actuator/prometheus`), as Prometheus would reach it.
    pub fn admin_url(&self, service: &str) -> String {
        format!("http://127.0.0.1:{}", self.admin_ports[service])
    }

    pub fn gateway_addr(&self) -> String {
        format!("127.0.0.1:{}", self.ports["gateway"])
    }

    /// The database URL of a service, for invariant checks.
    pub fn database_url(&self, service: &str) -> String {
        idaas_config::DatabaseSettings {
            url: idaas_crypto::secret::Secret::new(postgres_server_url()),
            pool_size: 1,
            statement_timeout_ms: 0,
            lock_timeout_ms: 0,
            pool_wait_ms: 0,
        }
        .url_for(&self.databases[service])
        .expose()
        .clone()
    }
}

impl Drop for Platform {
    fn drop(&mut self) {
        for (_, child) in &mut self.children {
            let _ = child.kill();
            let _ = child.wait();
        }
        let _ = std::fs::remove_dir_all(&self.log_dir);
    }
}
