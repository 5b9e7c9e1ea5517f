//! A local SMTP server that accepts every message and keeps it, so a test reads the mail the
//! platform sent (section 18's consent mail) without a real mail server. It speaks just enough
//! SMTP for a client without TLS or authentication.

use std::sync::{Arc, Mutex};

use tokio::{
    io::{AsyncBufReadExt, AsyncWriteExt, BufReader},
    net::TcpListener,
};

/// One message as the server received it.
#[derive(Debug, Clone)]
pub struct SentMail {
    pub from: String,
    pub to: Vec<String>,
    /// Headers and body as sent (dot-stuffing undone).
    pub data: String,
}

impl SentMail {
    /// The message as a reader sees it: quoted-printable soft line breaks joined and `=3D`
    /// decoded (enough for the ASCII text the platform sends).
    pub fn text(&self) -> String {
        self.data.replace("=\n", "").replace("=3D", "=")
    }
}

#[derive(Clone)]
pub struct SmtpSink {
    /// `smtp://127.0.0.1:<port>`, for `[smtp] url`.
    pub url: String,
    mails: Arc<Mutex<Vec<SentMail>>>,
}

impl SmtpSink {
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind smtp sink");
        let port = listener.local_addr().expect("smtp sink address").port();
        let mails = Arc::new(Mutex::new(Vec::new()));
        let kept = mails.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(session(stream, kept.clone()));
            }
        });
        Self {
            url: format!("smtp://127.0.0.1:{port}"),
            mails,
        }
    }

    pub fn mails(&self) -> Vec<SentMail> {
        self.mails.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Waits up to 10 s for at least `n` mails.
    pub async fn wait_for(&self, n: usize) -> Vec<SentMail> {
        for _ in 0..200 {
            let m = self.mails();
            if m.len() >= n {
                return m;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("expected {n} mails, got {:?}", self.mails());
    }
}

fn address(arg: &str) -> String {
    arg.split_once(':')
        .map(|(_, a)| a.trim().trim_start_matches('<').trim_end_matches('>'))
        .unwrap_or_default()
        .to_owned()
}

fn reply(text: &str) -> String {
    format!("{text}\r\n")
}

async fn session(stream: tokio::net::TcpStream, mails: Arc<Mutex<Vec<SentMail>>>) {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read).lines();
    let _ = write.write_all(reply("220 sink ESMTP").as_bytes()).await;
    let (mut from, mut to) = (String::new(), Vec::new());
    while let Ok(Some(line)) = lines.next_line().await {
        let verb = line.get(..4).unwrap_or("").to_ascii_uppercase();
        let answer = match verb.as_str() {
            "EHLO" | "HELO" => "250 sink",
            "MAIL" => {
                from = address(&line);
                "250 OK"
            }
            "RCPT" => {
                to.push(address(&line));
                "250 OK"
            }
            "DATA" => {
                let _ = write
                    .write_all(reply("354 end with <CRLF>.<CRLF>").as_bytes())
                    .await;
                let mut data = String::new();
                while let Ok(Some(l)) = lines.next_line().await {
                    if l == "." {
                        break;
                    }
                    data.push_str(l.strip_prefix('.').unwrap_or(&l));
                    data.push('\n');
                }
                mails
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .push(SentMail {
                        from: std::mem::take(&mut from),
                        to: std::mem::take(&mut to),
                        data,
                    });
                "250 OK queued"
            }
            "RSET" | "NOOP" => "250 OK",
            "QUIT" => {
                let _ = write.write_all(reply("221 bye").as_bytes()).await;
                return;
            }
            _ => "502 not implemented",
        };
        if write.write_all(reply(answer).as_bytes()).await.is_err() {
            return;
        }
    }
}
