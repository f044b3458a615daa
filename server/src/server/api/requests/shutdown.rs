//! `shutdown`: nothing to flush for analysis; hosts are stopped by the execution backend.

use tower_lsp_server::jsonrpc::Result;

use crate::server::backend::Backend;

pub async fn handle(_backend: &Backend) -> Result<()> {
    Ok(())
}
