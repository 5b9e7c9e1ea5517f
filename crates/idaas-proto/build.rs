//! Compiles proto/ with protox (pure Rust) so no protoc is needed on any machine.

use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../proto");
    let files = [
        root.join("idaas/identity/v1/events.proto"),
        root.join("idaas/ledger/v1/events.proto"),
        root.join("idaas/settlement/v1/events.proto"),
        root.join("idaas/transaction/v1/events.proto"),
        root.join("idaas/webhook/v1/events.proto"),
    ];
    for f in &files {
        println!("cargo:rerun-if-changed={}", f.display());
    }
    let descriptors = protox::compile(&files, [&root])?;
    // The same contracts as data, for tools that decode any topic without knowing its type at
    // compile time (idaasctl prints events as JSON).
    let out = PathBuf::from(std::env::var("OUT_DIR")?);
    std::fs::write(
        out.join("descriptors.bin"),
        prost::Message::encode_to_vec(&descriptors),
    )?;
    prost_build::Config::new().compile_fds(descriptors)?;
    Ok(())
}
