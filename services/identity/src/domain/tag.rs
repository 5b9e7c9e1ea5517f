use idaas_api::ApiError;
use idaas_domain::LocalTag;
use serde::Deserialize;
use uuid::Uuid;

use super::checks::Checks;

/// The body of `POST /v1/tags`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TagRequest {
    /// 3-64 lower-case letters, digits and inner hyphens.
    #[schema(
        required = true,
        min_length = 3,
        max_length = 64,
        pattern = "^[a-z0-9]([a-z0-9-]*[a-z0-9])?$",
        example = "alice"
    )]
    pub tag: Option<String>,
    /// One of the caller's subjects.
    #[schema(required = true, format = Uuid)]
    pub subject_id: Option<String>,
}

#[derive(Debug)]
pub struct NewTag {
    pub tag: LocalTag,
    pub subject_id: Uuid,
}

impl TagRequest {
    pub fn parse(self) -> Result<NewTag, ApiError> {
        let mut c = Checks::new();
        let tag = match self.tag.filter(|t| !t.is_empty()) {
            None => {
                c.fail("tag is required");
                None
            }
            Some(t) => LocalTag::parse(&t).map_err(|e| c.fail(e.to_string())).ok(),
        };
        let subject_id = match self.subject_id.filter(|s| !s.is_empty()) {
            None => {
                c.fail("subjectId is required");
                None
            }
            Some(s) => Uuid::parse_str(&s)
                .map_err(|_| c.fail("subjectId must be a UUID"))
                .ok(),
        };
        c.finish()?;
        match (tag, subject_id) {
            (Some(tag), Some(subject_id)) => Ok(NewTag { tag, subject_id }),
            _ => Err(ApiError::validation(vec![
                "tag and subjectId are required".into()
            ])),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_both_fields() {
        let r = TagRequest {
            tag: Some("A!".into()),
            subject_id: Some("nope".into()),
        };
        assert_eq!(r.parse().err().map(|e| e.errors.len()), Some(2));
    }
}
