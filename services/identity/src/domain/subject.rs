use idaas_api::ApiError;
use serde::Deserialize;
use serde_json::Value;

use super::checks::Checks;

/// The body of `POST /v1/subjects`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SubjectRequest {
    /// The caller's own id for the person, unique within the caller.
    #[schema(required = true, min_length = 1, max_length = 255, example = "user-42")]
    pub external_id: Option<String>,
    #[schema(max_length = 150)]
    pub display_name: Option<String>,
    #[schema(format = Email)]
    pub email: Option<String>,
    /// A JSON object (or its text), stored as given.
    #[schema(value_type = Option<Object>)]
    pub metadata: Option<Value>,
}

#[derive(Debug)]
pub struct NewSubject {
    pub external_id: String,
    pub display_name: Option<String>,
    pub email: Option<String>,
    pub metadata: Option<String>,
}

impl SubjectRequest {
    pub fn parse(self) -> Result<NewSubject, ApiError> {
        let mut c = Checks::new();
        let external_id = c.required("externalId", self.external_id, 1, 255);
        let display_name = c.optional("displayName", self.display_name, 150);
        let email = c.email(self.email);
        let metadata = c.metadata(self.metadata);
        c.finish()?;
        let external_id = external_id
            .ok_or_else(|| ApiError::validation(vec!["externalId is required".into()]))?;
        Ok(NewSubject {
            external_id,
            display_name,
            email,
            metadata,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validates_lengths() {
        let r = SubjectRequest {
            external_id: Some("x".repeat(256)),
            display_name: Some("d".repeat(151)),
            email: Some("bad".into()),
            metadata: None,
        };
        assert_eq!(r.parse().err().map(|e| e.errors.len()), Some(3));
        let ok = SubjectRequest {
            external_id: Some("user-1".into()),
            display_name: None,
            email: None,
            metadata: None,
        };
        assert!(ok.parse().is_ok());
    }
}
