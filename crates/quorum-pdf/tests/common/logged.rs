//! Log lines captured while some work runs, for tests that check what is, and what is
//! not, written to the log. Also included by path from quorum-store's tests.

/// The log lines written, at `level` and above, while `work` runs on this thread.
pub fn logged(level: tracing::Level, work: impl FnOnce()) -> String {
    #[derive(Clone, Default)]
    struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);
    impl std::io::Write for Captured {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.lines().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    impl Captured {
        fn lines(&self) -> std::sync::MutexGuard<'_, Vec<u8>> {
            self.0.lock().expect("no writer panicked holding the log")
        }
    }
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(level)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    tracing::subscriber::with_default(subscriber, work);
    let bytes = captured.lines().clone();
    String::from_utf8(bytes).expect("log lines are UTF-8")
}
