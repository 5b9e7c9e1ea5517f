//! What identity commits reaches the broker through the outbox, and secrets rest protected.

use crate::common::{read_topic, spawn, unique_handle};
use diesel::{sql_types::Text, QueryableByName};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use idaas_proto::{
    identity::v1::{application_event::Kind, ApplicationEvent},
    Message,
};
use rdkafka::Message as _;

#[tokio::test]
async fn registration_and_deactivation_are_published_in_order() {
    let app = spawn().await;
    let reg = app.register(&unique_handle("evt")).await;
    app.patch(
        &format!("/v1/applications/{}/deactivate", reg.id),
        &reg.token,
    )
    .await;

    let mut seen = Vec::new();
    for msg in read_topic(&format!("{}applications", app.topic_prefix), 2).await {
        let event = ApplicationEvent::decode(msg.payload().unwrap()).unwrap();
        let header_id =
            idaas_kafka::headers::get(msg.headers().unwrap(), idaas_kafka::headers::EVENT_ID);
        assert_eq!(header_id.as_deref(), Some(event.event_id.as_str()));
        assert_eq!(msg.key(), Some(reg.id.as_bytes()));
        seen.push(event);
    }
    assert_eq!(seen.len(), 2, "both events published");
    assert!(matches!(seen[0].kind, Some(Kind::Registered(ref r)) if r.app_handle == reg.handle));
    assert!(matches!(seen[1].kind, Some(Kind::Deactivated(_))));
}

#[derive(QueryableByName)]
struct Stored {
    #[diesel(sql_type = Text)]
    client_secret_hash: String,
    #[diesel(sql_type = Text)]
    webhook_secret_enc: String,
}

#[tokio::test]
async fn secrets_are_hashed_or_encrypted_at_rest() {
    let app = spawn().await;
    let reg = app.register(&unique_handle("rest")).await;
    let url = format!("{}/{}", idaas_testkit::postgres_server_url(), app.db.name);
    let mut conn = AsyncPgConnection::establish(&url).await.unwrap();
    let row: Stored = diesel::sql_query(
        "SELECT client_secret_hash, webhook_secret_enc FROM applications WHERE id::text = $1",
    )
    .bind::<Text, _>(&reg.id)
    .get_result(&mut conn)
    .await
    .unwrap();
    assert!(row.client_secret_hash.starts_with("sha256:"));
    assert!(!row.client_secret_hash.contains(&reg.client_secret));
    assert!(row.webhook_secret_enc.starts_with("v1:"));
    assert!(!row.webhook_secret_enc.contains(&reg.webhook_secret));
}
