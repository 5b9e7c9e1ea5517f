//! Telling people outside the platform: consent mail to a tag's owner.

pub mod consent_mail;
pub mod mailer;
