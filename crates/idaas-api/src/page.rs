use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::ApiError;

/// `?page=0&size=20`, zero-based as in the guide.
#[derive(Debug, Clone, Copy, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Zero-based page number.
    #[param(minimum = 0, maximum = 1_000_000, default = 0)]
    pub page: Option<i64>,
    /// Page size, 1 to 100.
    #[param(minimum = 1, maximum = 100, default = 20)]
    pub size: Option<i64>,
}

impl PageQuery {
    pub const DEFAULT_SIZE: i64 = 20;
    pub const MAX_SIZE: i64 = 100;
    /// Deeper than any real listing; keeps `page * size` (the SQL offset) far from overflow.
    pub const MAX_PAGE: i64 = 1_000_000;

    /// Returns `(page, size)` or a validation error naming the parameter.
    pub fn validate(&self) -> Result<(i64, i64), ApiError> {
        let page = self.page.unwrap_or(0);
        let size = self.size.unwrap_or(Self::DEFAULT_SIZE);
        let mut errors = Vec::new();
        if !(0..=Self::MAX_PAGE).contains(&page) {
            errors.push(format!("page must be between 0 and {}", Self::MAX_PAGE));
        }
        if !(1..=Self::MAX_SIZE).contains(&size) {
            errors.push(format!("size must be between 1 and {}", Self::MAX_SIZE));
        }
        if errors.is_empty() {
            Ok((page, size))
        } else {
            Err(ApiError::validation(errors))
        }
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Page<T> {
    pub content: Vec<T>,
    pub page: i64,
    pub size: i64,
    pub total_elements: i64,
    pub total_pages: i64,
}

impl<T> Page<T> {
    pub fn new(content: Vec<T>, page: i64, size: i64, total_elements: i64) -> Self {
        let total_pages = if size > 0 {
            (total_elements + size - 1) / size
        } else {
            0
        };
        Self {
            content,
            page,
            size,
            total_elements,
            total_pages,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_round_up() {
        assert_eq!(Page::<u8>::new(vec![], 0, 20, 47).total_pages, 3);
        assert_eq!(Page::<u8>::new(vec![], 0, 20, 0).total_pages, 0);
    }

    #[test]
    fn rejects_bad_paging() {
        let q = PageQuery {
            page: Some(-1),
            size: Some(0),
        };
        assert!(q.validate().is_err());
        let q = PageQuery {
            page: None,
            size: None,
        };
        assert_eq!(q.validate().ok(), Some((0, 20)));
        // Found by schemathesis: a page this deep overflowed the SQL offset (a 5xx).
        let q = PageQuery {
            page: Some(i64::MAX - 1),
            size: Some(20),
        };
        assert!(q.validate().is_err());
        let q = PageQuery {
            page: Some(PageQuery::MAX_PAGE),
            size: Some(PageQuery::MAX_SIZE),
        };
        assert!(q.validate().is_ok());
    }
}
