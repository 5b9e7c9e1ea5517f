/// Topic names, all under one configurable prefix (`idaas.` by default).
#[derive(Debug, Clone)]
pub struct Topics {
    prefix: String,
}

impl Topics {
    pub fn new(prefix: impl Into<String>) -> Self {
        Self {
            prefix: prefix.into(),
        }
    }

    fn name(&self, suffix: &str) -> String {
        format!("{}{suffix}", self.prefix)
    }

    pub fn applications(&self) -> String {
        self.name("applications")
    }
    pub fn tags(&self) -> String {
        self.name("tags")
    }
    pub fn webhooks(&self) -> String {
        self.name("webhooks")
    }
    pub fn webhooks_dlt(&self) -> String {
        self.name("webhooks.dlt")
    }
    pub fn settlements(&self) -> String {
        self.name("settlements")
    }
    pub fn transactions(&self) -> String {
        self.name("transactions")
    }
    pub fn ledger(&self) -> String {
        self.name("ledger")
    }

    /// Every topic of the platform, for start-up creation.
    pub fn all(&self) -> Vec<String> {
        vec![
            self.applications(),
            self.tags(),
            self.webhooks(),
            self.webhooks_dlt(),
            self.settlements(),
            self.transactions(),
            self.ledger(),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_is_applied() {
        let t = Topics::new("idaas.");
        assert_eq!(t.webhooks_dlt(), "idaas.webhooks.dlt");
        assert_eq!(Topics::new("t1.").applications(), "t1.applications");
        assert_eq!(t.all().len(), 7);
    }
}
