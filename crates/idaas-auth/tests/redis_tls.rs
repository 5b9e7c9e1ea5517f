//! `rediss://`: every Redis connection of the platform (revocations, rate limits) over TLS, to
//! a private redis-server the test starts with a certificate it makes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::{
    process::{Child, Command, Stdio},
    time::Duration,
};

use idaas_auth::BoundedRedis;
use rcgen::{CertificateParams, KeyPair};

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap()
}

#[tokio::test]
async fn rediss_urls_connect_over_tls_and_plain_ones_are_refused_there() {
    let key = KeyPair::generate().unwrap();
    let cert = CertificateParams::new(vec!["127.0.0.1".to_owned()])
        .unwrap()
        .self_signed(&key)
        .unwrap();
    let dir = std::env::temp_dir().join(format!("idaas-redis-tls-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("cert.pem"), cert.pem()).unwrap();
    std::fs::write(dir.join("key.pem"), key.serialize_pem()).unwrap();
    let port = free_port();
    let _server = Server(
        Command::new("redis-server")
            .args([
                "--port",
                "0",
                "--tls-port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
            ])
            .args([
                "--tls-cert-file",
                &dir.join("cert.pem").display().to_string(),
            ])
            .args(["--tls-key-file", &dir.join("key.pem").display().to_string()])
            .args([
                "--tls-ca-cert-file",
                &dir.join("cert.pem").display().to_string(),
            ])
            .args([
                "--tls-auth-clients",
                "no",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server on PATH (scripts/test.sh checks)"),
    );
    let timeout = Duration::from_secs(2);
    // The certificate is the test's own, not in the system's trust store: `#insecure` (tests
    // only) skips that check; the connection is TLS all the same.
    let url = format!("rediss://127.0.0.1:{port}/#insecure");
    let mut connected = Err(None);
    for _ in 0..50 {
        match BoundedRedis::connect(&url, timeout).await {
            Ok(r) => {
                connected = Ok(r);
                break;
            }
            Err(e) => connected = Err(Some(e.to_string())),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let redis = connected.unwrap_or_else(|e| panic!("rediss:// connects to the TLS port: {e:?}"));
    let pong: String = redis
        .run(|mut c| async move { redis::cmd("PING").query_async(&mut c).await })
        .await
        .unwrap();
    assert_eq!(pong, "PONG");

    // The same port without TLS gets nowhere, and the trust store refuses the unknown issuer.
    let plain = BoundedRedis::connect(&format!("redis://127.0.0.1:{port}/"), timeout).await;
    assert!(plain.is_err());
    let verified = BoundedRedis::connect(&format!("rediss://127.0.0.1:{port}/"), timeout).await;
    assert!(verified.is_err());
    let _ = std::fs::remove_dir_all(dir);
}
