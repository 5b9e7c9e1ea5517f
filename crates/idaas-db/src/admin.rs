use diesel::{sql_types::Text, QueryableByName};
use diesel_async::RunQueryDsl;

use crate::DbError;

#[derive(QueryableByName)]
struct Found {
    #[diesel(sql_type = diesel::sql_types::Bool)]
    found: bool,
}

fn checked(name: &str) -> Result<&str, DbError> {
    let ok = !name.is_empty()
        && name.len() <= 63
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if ok {
        Ok(name)
    } else {
        Err(DbError::InvalidName(name.to_owned()))
    }
}

/// Creates `name` on the server behind `maintenance_url` (a URL of an existing database,
/// usually `postgres`) unless it exists. Concurrent creators are tolerated.
pub async fn ensure_database(maintenance_url: &str, name: &str) -> Result<(), DbError> {
    let name = checked(name)?;
    let mut conn = crate::tls::establish(maintenance_url)
        .await
        .map_err(|e| DbError::Pool(e.to_string()))?;
    let exists: Found =
        diesel::sql_query("SELECT EXISTS(SELECT 1 FROM pg_database WHERE datname = $1) AS found")
            .bind::<Text, _>(name)
            .get_result(&mut conn)
            .await?;
    if exists.found {
        return Ok(());
    }
    match diesel::sql_query(format!("CREATE DATABASE \"{name}\""))
        .execute(&mut conn)
        .await
    {
        Ok(_) => Ok(()),
        // 42P04 duplicate_database or a unique violation on pg_database: another creator won.
        Err(diesel::result::Error::DatabaseError(_, info))
            if info.message().contains("already exists") =>
        {
            Ok(())
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn drop_database(maintenance_url: &str, name: &str) -> Result<(), DbError> {
    let name = checked(name)?;
    let mut conn = crate::tls::establish(maintenance_url)
        .await
        .map_err(|e| DbError::Pool(e.to_string()))?;
    diesel::sql_query(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
        .execute(&mut conn)
        .await?;
    Ok(())
}
