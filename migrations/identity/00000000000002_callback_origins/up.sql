-- Origins (scheme://host[:port]) an application allows for a payment's callbackUrl besides the
-- origin of its registered transactionWebhookUrl.
ALTER TABLE applications ADD COLUMN callback_origins TEXT[] NOT NULL DEFAULT '{}';
