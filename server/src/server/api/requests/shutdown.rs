//! `shutdown`: stop every host (killing their process groups). Nothing to flush for
//! analysis.

use tower_lsp_server::jsonrpc::Result;

use crate::server::backend::Backend;

pub async fn handle(backend: &Backend) -> Result<()> {
    if let Some(supervisor) = backend.execution.started() {
        supervisor.shutdown_all().await;
    }
    Ok(())
}
