//! `kernel_info_request`: who we are, and the host's real Python version.

use serde_json::{json, Value};

use crate::kernel::connection::{Replier, Request};
use crate::kernel::Kernel;

/// The messaging protocol version implemented.
pub const PROTOCOL_VERSION: &str = "5.3";

pub async fn handle(kernel: &Kernel, replier: &Replier, request: &Request) {
    let status = kernel.supervisor.status(&kernel.doc, Some(&kernel.spec));
    let version = status
        .python_version
        .as_deref()
        .and_then(|v| v.split_whitespace().next())
        .unwrap_or("3")
        .to_string();
    replier
        .reply(request, info(&version, kernel.spec.loop_kind.as_str()))
        .await;
}

pub fn info(python_version: &str, loop_name: &str) -> Value {
    let short: String = python_version
        .split('.')
        .take(2)
        .collect::<Vec<_>>()
        .join(".");
    json!({
        "status": "ok",
        "protocol_version": PROTOCOL_VERSION,
        "implementation": "asyncell",
        "implementation_version": env!("CARGO_PKG_VERSION"),
        "language_info": {
            "name": "python",
            "version": python_version,
            "mimetype": "text/x-python",
            "file_extension": ".py",
            "pygments_lexer": "ipython3",
            "codemirror_mode": {"name": "ipython", "version": 3},
            "nbconvert_exporter": "python",
        },
        "banner": format!(
            "asyncell {} — Python {python_version} on a persistent {loop_name} loop",
            env!("CARGO_PKG_VERSION")
        ),
        "help_links": [
            {"text": "Python Reference", "url": format!("https://docs.python.org/{short}")},
            {"text": "Trio", "url": "https://trio.readthedocs.io/en/stable/"},
            {"text": "asyncio", "url": format!("https://docs.python.org/{short}/library/asyncio.html")},
        ],
        "debugger": false,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn language_info_names_python_and_its_version() {
        let info = super::info("3.12.3", "trio");
        assert_eq!(info["language_info"]["version"], "3.12.3");
        assert_eq!(info["implementation"], "asyncell");
        assert!(info["help_links"][0]["url"]
            .as_str()
            .unwrap()
            .ends_with("/3.12"));
    }
}
