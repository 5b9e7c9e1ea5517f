//! The OpenAPI document against the running platform: schemathesis generates requests from it
//! (valid and invalid, a bounded number per operation, fixed seed) with a registered
//! application's token, and every answer must be a non-5xx whose status the document lists
//! and whose body matches the schema it gives for that status. `make test` installs the pinned schemathesis.

use std::{path::PathBuf, process::Command};

use e2e::Platform;

fn schemathesis() -> PathBuf {
    std::env::var_os("IDAAS_SCHEMATHESIS")
        .map(PathBuf::from)
        .or_else(|| {
            let venv = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("../.run/venv-schemathesis/bin/schemathesis");
            venv.is_file().then_some(venv)
        })
        .expect(
            "schemathesis not found: run `make test` (scripts/ensure-schemathesis.sh installs it)",
        )
}

#[tokio::test(flavor = "multi_thread")]
async fn every_documented_answer_matches_the_document_and_none_is_a_5xx() {
    let p = Platform::start().await;
    let tenant = p.tenant("sch").await;
    let bin = schemathesis();
    let report = std::env::temp_dir().join(format!("schemathesis-{}", uuid::Uuid::new_v4()));
    let output = tokio::task::spawn_blocking({
        let url = format!("{}/v3/api-docs", p.gateway);
        let auth = format!("Authorization: Bearer {}", tenant.token);
        let report = report.clone();
        move || {
            std::fs::create_dir_all(&report).expect("report dir");
            Command::new(bin)
                // It keeps state in its working directory; keep that out of the checkout.
                .current_dir(&report)
                .args(["run", &url, "-H", &auth])
                .args([
                    "--checks",
                    "not_a_server_error,status_code_conformance,response_schema_conformance",
                ])
                .args(["--max-examples", "15", "--seed", "20261129"])
                .args(["--phases", "examples,coverage,fuzzing"])
                .args(["--generation-database", "none", "--no-color"])
                .args(["--request-timeout", "10", "--workers", "2"])
                // Schemathesis reuses ids from earlier answers; deactivating the caller's own
                // application would revoke the token mid-run and leave the rest untested
                // (onboarding and tenant_isolation cover deactivation).
                .args(["--exclude-path", "/api/v1/applications/{id}/deactivate"])
                .arg("--report-dir")
                .arg(&report)
                .output()
                .expect("schemathesis runs")
        }
    })
    .await
    .unwrap();
    let text = format!(
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    eprintln!("{text}");
    assert!(
        output.status.success(),
        "schemathesis found problems:\n{text}"
    );
    // A run that tested nothing would pass too: make sure it reached the operations.
    assert!(text.contains("passed"), "{text}");
    // The token stayed good throughout, so the tenant routes were tested past authentication.
    let (status, me) = p
        .send(
            p.http
                .get(p.api("/v1/applications"))
                .bearer_auth(&tenant.token),
        )
        .await;
    assert_eq!(status, reqwest::StatusCode::OK, "{me}");
}
