//! `laptop_commands!`: a Tauri command that only calls the laptop is written as its
//! signature and one expression; the macro adds the state, the log span and the error
//! mapping. The command table in ui/src/lib/commands.ts is read from the same lines.

/// Each entry is `fn name(arguments) -> T = |laptop| expression;` (or `|laptop, app|`
/// for commands that need Tauri's app handle), where the expression gives a `Result`
/// whose error becomes an [`IpcError`](crate::errors::IpcError).
///
/// The span names the command and nothing it was given: what a member typed, chose or
/// sent stays out of the log; a failure is logged with its detail.
macro_rules! laptop_commands {
    ($(
        $(#[doc = $doc:literal])*
        fn $name:ident($($argument:ident: $type:ty),* $(,)?) -> $returns:ty
            = |$laptop:ident $(, $app:ident)?| $body:expr;
    )*) => {$(
        $(#[doc = $doc])*
        #[tauri::command(async)]
        #[tracing::instrument(skip_all, err(Debug))]
        pub fn $name(
            state: tauri::State<'_, $crate::profile::AppState>,
            $($app: tauri::AppHandle,)?
            $($argument: $type),*
        ) -> Result<$returns, $crate::errors::IpcError> {
            let $laptop = state.laptop()?;
            Ok($body?)
        }
    )*};
}
