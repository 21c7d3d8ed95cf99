//! How every Quorum program logs: to stderr, so that stdout carries only what scripts
//! read (the CLIs' JSON, the PDF worker's answers); at `default_level` unless `RUST_LOG`
//! says otherwise.

use tracing_subscriber::EnvFilter;

/// Starts logging for this process; call once, first thing in `main`.
pub fn to_stderr(default_level: &str) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_level));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}
