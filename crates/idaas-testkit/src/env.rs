/// PostgreSQL server URL (no database) for tests: `IDAAS_TEST_DATABASE_URL`, else the
/// platform's `IDAAS__DATABASE__URL`, else local trust auth.
pub fn postgres_server_url() -> String {
    std::env::var("IDAAS_TEST_DATABASE_URL")
        .or_else(|_| std::env::var("IDAAS__DATABASE__URL"))
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".to_owned())
}

pub fn kafka_brokers() -> String {
    std::env::var("IDAAS_TEST_KAFKA_BROKERS").unwrap_or_else(|_| "127.0.0.1:9092".to_owned())
}

pub fn redis_url() -> String {
    std::env::var("IDAAS_TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".to_owned())
}
