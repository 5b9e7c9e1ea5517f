use idaas_config::DatabaseSettings;
use idaas_crypto::secret::Secret;

use crate::postgres_server_url;

/// A database created for one test and dropped when the test ends.
pub struct TestDb {
    pub name: String,
    server: String,
}

fn maintenance_url(server: &str) -> String {
    DatabaseSettings {
        url: Secret::new(server.to_owned()),
        pool_size: 1,
        statement_timeout_ms: 0,
        lock_timeout_ms: 0,
        pool_wait_ms: 0,
    }
    .url_for("postgres")
    .expose()
    .clone()
}

impl TestDb {
    pub async fn create() -> Self {
        let server = postgres_server_url();
        let name = format!("t_{}", uuid::Uuid::new_v4().simple());
        idaas_db::ensure_database(&maintenance_url(&server), &name)
            .await
            .expect("create test database (is PostgreSQL running? see scripts/test.sh)");
        Self { name, server }
    }

    /// A connection URL to this database, for tests that look at a service's rows.
    pub fn url(&self) -> String {
        DatabaseSettings {
            url: Secret::new(self.server.clone()),
            pool_size: 1,
            statement_timeout_ms: 0,
            lock_timeout_ms: 0,
            pool_wait_ms: 0,
        }
        .url_for(&self.name)
        .expose()
        .clone()
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let url = maintenance_url(&self.server);
        let name = self.name.clone();
        // Drop runs outside async context; a short-lived runtime on its own thread does it.
        let _ = std::thread::spawn(move || {
            if let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                let _ = rt.block_on(idaas_db::drop_database(&url, &name));
            }
        })
        .join();
    }
}
