//! A Redis or a broker of one test's own, so it can pause or stop it while the tests beside it
//! keep the shared ones.

use std::{
    net::TcpListener,
    process::{Child, Command, Stdio},
    time::Duration,
};

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

async fn wait_for_port(port: u16, what: &str) {
    for _ in 0..300 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{what} did not listen on {port} within 30 s");
}

pub struct PrivateRedis {
    pub port: u16,
    child: Child,
}

impl PrivateRedis {
    pub async fn start() -> Self {
        let port = free_port();
        let child = Command::new("redis-server")
            .args([
                "--port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server on PATH (scripts/test.sh checks)");
        wait_for_port(port, "redis-server").await;
        Self { port, child }
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// `CLIENT PAUSE` for `ms`: every client's commands stall, connections stay open.
    pub fn pause(&self, ms: u64) {
        let status = Command::new("redis-cli")
            .args([
                "-p",
                &self.port.to_string(),
                "CLIENT",
                "PAUSE",
                &ms.to_string(),
                "ALL",
            ])
            .stdout(Stdio::null())
            .status()
            .expect("redis-cli");
        assert!(status.success(), "CLIENT PAUSE failed");
    }
}

impl Drop for PrivateRedis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// tansu with memory storage on a free port; stop and start it again on the same port.
pub struct PrivateBroker {
    pub port: u16,
    child: Option<Child>,
}

impl PrivateBroker {
    pub async fn start() -> Self {
        let mut b = Self {
            port: free_port(),
            child: None,
        };
        b.restart().await;
        b
    }

    pub fn brokers(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Starts it (again). Memory storage: the topics must be created anew.
    pub async fn restart(&mut self) {
        self.stop();
        let url = format!("tcp://127.0.0.1:{}", self.port);
        let child = Command::new("tansu")
            .args([
                "broker",
                "--listener-url",
                &url,
                "--advertised-listener-url",
                &url,
                "--storage-engine",
                "memory://tansu/",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("tansu on PATH (scripts/test.sh installs it)");
        self.child = Some(child);
        wait_for_port(self.port, "tansu").await;
    }
}

impl Drop for PrivateBroker {
    fn drop(&mut self) {
        self.stop();
    }
}
