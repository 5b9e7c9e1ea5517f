//! SMTP through lettre: a URL from the settings (plain for a local sink, STARTTLS or TLS
//! elsewhere), one bounded exchange per message.

use std::time::Duration;

use idaas_config::SmtpSettings;
use idaas_service::StartupError;
use lettre::{
    message::{header::ContentType, Mailbox},
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
};

pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

/// One message to send.
pub struct Mail<'a> {
    pub to: &'a str,
    pub subject: String,
    pub text: String,
}

impl Mailer {
    /// `None` when no URL is set: the platform then sends no mail.
    pub fn from_settings(smtp: &SmtpSettings) -> Result<Option<Self>, StartupError> {
        let url = smtp.url.expose().trim();
        if url.is_empty() {
            return Ok(None);
        }
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| {
                StartupError::setting("smtp.url", format!("is not a usable SMTP URL: {e}"))
            })?
            .timeout(Some(Duration::from_millis(smtp.timeout_ms)))
            .build();
        let from = smtp
            .from
            .parse::<Mailbox>()
            .map_err(|e| StartupError::setting("smtp.from", format!("is not a mailbox: {e}")))?;
        Ok(Some(Self { transport, from }))
    }

    /// Sends one message; the error says why (an address that is not one, or the server).
    pub async fn send(&self, mail: Mail<'_>) -> Result<(), String> {
        let to = mail
            .to
            .parse::<Mailbox>()
            .map_err(|e| format!("recipient: {e}"))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(mail.subject)
            .header(ContentType::TEXT_PLAIN)
            .body(mail.text)
            .map_err(|e| format!("message: {e}"))?;
        self.transport
            .send(message)
            .await
            .map(drop)
            .map_err(|e| format!("smtp: {e}"))
    }
}
