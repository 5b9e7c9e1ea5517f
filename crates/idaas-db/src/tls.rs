//! PostgreSQL over TLS, as libpq's `sslmode` in the URL says, so a managed database (which
//! demands TLS) works with the same `database.url` a libpq tool would take:
//!
//! - `disable`: plain TCP.
//! - `prefer` (libpq's and our default): TLS if the server offers it, else plain; the
//!   certificate is not checked (libpq does the same).
//! - `require`: TLS or no connection; the certificate is not checked, unless `sslrootcert` is
//!   given, which makes it `verify-ca` (as in libpq).
//! - `verify-ca`: TLS, the server's chain verified against `sslrootcert` (else the bundled
//!   Mozilla roots), any host name.
//! - `verify-full`: as `verify-ca`, and the certificate must name the host connected to.
//!
//! tokio-postgres knows neither `verify-*` nor `sslrootcert`, so both are taken off the URL
//! here and turned into the rustls configuration (ring, no aws-lc: no cmake needed).

use std::{path::PathBuf, sync::Arc};

use diesel::ConnectionResult;
use diesel_async::AsyncPgConnection;
use rustls::{
    client::{
        danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier},
        WebPkiServerVerifier,
    },
    crypto::{ring, verify_tls12_signature, verify_tls13_signature, CryptoProvider},
    pki_types::{pem::PemObject, CertificateDer, ServerName, UnixTime},
    CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme,
};

use crate::DbError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SslMode {
    Disable,
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

/// A URL as tokio-postgres takes it, and how its TLS must be set up.
#[derive(Debug, Clone)]
pub struct TlsUrl {
    pub url: String,
    pub mode: SslMode,
    pub root_cert: Option<PathBuf>,
}

/// Takes `sslmode` and `sslrootcert` off `url` (a `postgres://` URL); everything else stays.
pub fn split(url: &str) -> Result<TlsUrl, DbError> {
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let mut mode = SslMode::Prefer;
    let mut root_cert = None;
    let mut kept = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        match key {
            "sslmode" => {
                mode = match value {
                    "disable" => SslMode::Disable,
                    "allow" | "prefer" => SslMode::Prefer,
                    "require" => SslMode::Require,
                    "verify-ca" => SslMode::VerifyCa,
                    "verify-full" => SslMode::VerifyFull,
                    other => {
                        return Err(DbError::Pool(format!(
                            "sslmode={other} is not one of disable, allow, prefer, require, \
                             verify-ca, verify-full"
                        )))
                    }
                }
            }
            "sslrootcert" => root_cert = Some(PathBuf::from(percent_decoded(value)?)),
            _ => kept.push(pair),
        }
    }
    if mode == SslMode::Require && root_cert.is_some() {
        mode = SslMode::VerifyCa;
    }
    let tokio_mode = match mode {
        SslMode::Disable => "disable",
        SslMode::Prefer => "prefer",
        SslMode::Require | SslMode::VerifyCa | SslMode::VerifyFull => "require",
    };
    let sslmode = format!("sslmode={tokio_mode}");
    kept.push(&sslmode);
    Ok(TlsUrl {
        url: format!("{base}?{}", kept.join("&")),
        mode,
        root_cert,
    })
}

/// `sslrootcert` is a path: `%2F` and friends are decoded, nothing else is accepted raw.
fn percent_decoded(value: &str) -> Result<String, DbError> {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = value
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| DbError::Pool("sslrootcert: bad percent-encoding".into()))?;
            out.push(hex);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| DbError::Pool("sslrootcert: not UTF-8".into()))
}

fn provider() -> Arc<CryptoProvider> {
    Arc::new(ring::default_provider())
}

fn roots(root_cert: Option<&PathBuf>) -> Result<RootCertStore, DbError> {
    let mut store = RootCertStore::empty();
    match root_cert {
        Some(path) => {
            let bad = |e: &dyn std::fmt::Display| {
                DbError::Pool(format!("sslrootcert {}: {e}", path.display()))
            };
            for cert in CertificateDer::pem_file_iter(path).map_err(|e| bad(&e))? {
                store.add(cert.map_err(|e| bad(&e))?).map_err(|e| bad(&e))?;
            }
            if store.is_empty() {
                return Err(DbError::Pool(format!(
                    "sslrootcert {}: no certificate in it",
                    path.display()
                )));
            }
        }
        None => store.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
    }
    Ok(store)
}

/// `verify-ca`: the chain must lead to a trusted root; the name in it may be any.
#[derive(Debug)]
struct AnyName(Arc<WebPkiServerVerifier>);

impl ServerCertVerifier for AnyName {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match self
            .0
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
        {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

/// `prefer` and `require` without a root: encrypted, the certificate taken as it comes (the
/// handshake's own signatures are still checked). libpq's meaning of these modes.
#[derive(Debug)]
struct Unverified(Arc<CryptoProvider>);

impl ServerCertVerifier for Unverified {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// The rustls configuration for `tls`, or `None` for `disable`.
pub fn client_config(tls: &TlsUrl) -> Result<Option<ClientConfig>, DbError> {
    let builder = || {
        ClientConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .map_err(|e| DbError::Pool(format!("TLS: {e}")))
    };
    let config = match tls.mode {
        SslMode::Disable => return Ok(None),
        SslMode::Prefer | SslMode::Require => builder()?
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(Unverified(provider())))
            .with_no_client_auth(),
        SslMode::VerifyCa => {
            let verifier = WebPkiServerVerifier::builder_with_provider(
                Arc::new(roots(tls.root_cert.as_ref())?),
                provider(),
            )
            .build()
            .map_err(|e| DbError::Pool(format!("TLS: {e}")))?;
            builder()?
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(AnyName(verifier)))
                .with_no_client_auth()
        }
        SslMode::VerifyFull => builder()?
            .with_root_certificates(roots(tls.root_cert.as_ref())?)
            .with_no_client_auth(),
    };
    Ok(Some(config))
}

/// The error with its causes: tokio-postgres says only "error performing TLS handshake", the
/// reason (an unknown issuer, a name mismatch) is in its source.
fn with_causes(e: &dyn std::error::Error) -> diesel::ConnectionError {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    diesel::ConnectionError::BadConnection(text)
}

/// How to open connections to one URL: its `sslmode` read and its TLS configuration (root
/// certificates included) built once, then used for every connection a pool opens.
pub struct Connector {
    url: String,
    tls: Option<Arc<ClientConfig>>,
}

impl Connector {
    /// A bad `sslmode` or an unreadable `sslrootcert` is an error here, before any connection.
    pub fn new(url: &str) -> Result<Self, DbError> {
        let tls = split(url)?;
        Ok(Self {
            tls: client_config(&tls)?.map(Arc::new),
            url: tls.url,
        })
    }

    /// One connection, for the pool, migrations and admin.
    pub async fn connect(&self) -> ConnectionResult<AsyncPgConnection> {
        match &self.tls {
            None => {
                let (client, conn) = tokio_postgres::connect(&self.url, tokio_postgres::NoTls)
                    .await
                    .map_err(|e| with_causes(&e))?;
                AsyncPgConnection::try_from_client_and_connection(client, conn).await
            }
            Some(config) => {
                let tls = tokio_postgres_rustls::MakeRustlsConnect::new((**config).clone());
                let (client, conn) = tokio_postgres::connect(&self.url, tls)
                    .await
                    .map_err(|e| with_causes(&e))?;
                AsyncPgConnection::try_from_client_and_connection(client, conn).await
            }
        }
    }
}

/// One connection as `url` says (TLS per its `sslmode`): migrations, admin, tests.
pub async fn establish(url: &str) -> ConnectionResult<AsyncPgConnection> {
    Connector::new(url)
        .map_err(|e| diesel::ConnectionError::BadConnection(e.to_string()))?
        .connect()
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn libpq_modes_become_what_tokio_postgres_takes() {
        let t = split("postgres://u@h:5432/db").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(t.mode, SslMode::Prefer);
        assert_eq!(t.url, "postgres://u@h:5432/db?sslmode=prefer");

        let t = split(
            "postgres://u@h/db?sslmode=verify-full&sslrootcert=%2Fetc%2Fca.pem&options=-c%20x%3D1",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(t.mode, SslMode::VerifyFull);
        assert_eq!(t.root_cert, Some(PathBuf::from("/etc/ca.pem")));
        assert_eq!(
            t.url,
            "postgres://u@h/db?options=-c%20x%3D1&sslmode=require"
        );

        // libpq: require with a root certificate verifies the chain.
        let t = split("postgres://h/db?sslmode=require&sslrootcert=/ca.pem")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(t.mode, SslMode::VerifyCa);

        assert_eq!(
            split("postgres://h/db?sslmode=disable").map(|t| t.url).ok(),
            Some("postgres://h/db?sslmode=disable".to_owned())
        );
        assert!(split("postgres://h/db?sslmode=always").is_err());
    }

    #[test]
    fn a_missing_or_empty_root_certificate_is_an_error_not_a_silent_downgrade() {
        let t = split("postgres://h/db?sslmode=verify-full&sslrootcert=/nonexistent/ca.pem")
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(client_config(&t).is_err());
        let empty = std::env::temp_dir().join(format!("empty-{}.pem", std::process::id()));
        std::fs::write(&empty, "").unwrap_or_else(|e| panic!("{e}"));
        let t = split(&format!(
            "postgres://h/db?sslmode=verify-ca&sslrootcert={}",
            empty.display()
        ))
        .unwrap_or_else(|e| panic!("{e}"));
        assert!(client_config(&t).is_err());
        let _ = std::fs::remove_file(empty);
    }
}
