//! The integrator examples (examples/python, examples/node) run against the platform as a
//! tenant would run them, so they cannot rot: each registers two applications, pays with a
//! sealed request, verifies and decrypts both webhooks, accepts, and exits 0 only if every
//! step held. `make test` installs their pinned dependencies (scripts/ensure-examples.sh).

use std::{
    path::{Path, PathBuf},
    process::Command,
};

use e2e::Platform;

fn examples() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples")
}

fn python() -> PathBuf {
    std::env::var_os("IDAAS_EXAMPLES_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../.run/venv-examples/bin/python")
        })
}

/// Runs `program args` in `dir` against the platform; its output, or why it failed.
async fn run(p: &Platform, dir: &Path, program: PathBuf, script: &'static str) -> String {
    assert!(
        dir.join(script).is_file(),
        "{} is missing",
        dir.join(script).display()
    );
    let (dir, api) = (dir.to_owned(), p.api(""));
    let out = tokio::task::spawn_blocking(move || {
        Command::new(&program)
            .current_dir(&dir)
            .arg(script)
            .args(["--api", &api])
            .output()
            .unwrap_or_else(|e| {
                panic!(
                    "{} could not start ({e}): run `make test`, which installs the \
                     examples' dependencies (scripts/ensure-examples.sh)",
                    program.display()
                )
            })
    })
    .await
    .unwrap();
    let text = format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success(),
        "{script} failed ({}):\n{text}\n{}",
        out.status,
        p.logs()
    );
    text
}

#[tokio::test(flavor = "multi_thread")]
async fn the_python_and_node_examples_complete_the_whole_flow() {
    let p = Platform::start().await;
    let python = run(&p, &examples().join("python"), python(), "idaas_example.py").await;
    assert!(python.contains("OK: every step held"), "{python}");
    assert!(
        python.contains("signature verified, JWE decrypted"),
        "{python}"
    );

    let node_dir = examples().join("node");
    assert!(
        node_dir.join("node_modules/jose").is_dir(),
        "examples/node has no node_modules: run `make test` (scripts/ensure-examples.sh runs npm ci)"
    );
    let node = run(&p, &node_dir, PathBuf::from("node"), "example.mjs").await;
    assert!(node.contains("OK: every step held"), "{node}");
}
