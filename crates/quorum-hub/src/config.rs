//! The hub's settings file (`/etc/quorum-hub/hub.toml` on an installed hub): what
//! `serve` does when its flags say nothing. A flag given on the command line wins.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::HubError;

/// Every setting is optional; an unknown one is refused, so a misspelt key is not
/// silently ignored.
#[derive(Debug, Default, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HubConfig {
    /// The data folder: database, documents, certificate.
    pub data: Option<PathBuf>,
    /// Where the records are: `sqlite:` (the data folder's file) or a `postgres://` URL.
    pub database: Option<String>,
    /// Where the documents are: `file:` (the data folder) or `s3://BUCKET?endpoint=URL`.
    pub blobs: Option<String>,
    /// The address and port to listen on.
    pub listen: Option<SocketAddr>,
    /// A certificate chain (PEM) to serve instead of the hub's own; needs `tls_key`.
    pub tls_cert: Option<PathBuf>,
    pub tls_key: Option<PathBuf>,
    /// Seconds a client may take for the TLS handshake, a request's headers, and each
    /// part of a request body.
    pub client_timeout_seconds: Option<u64>,
    /// Connections open at once.
    pub max_connections: Option<usize>,
    /// `error`, `warn`, `info`, `debug` or `trace` (`RUST_LOG` still wins).
    pub log_level: Option<String>,
    /// Announce the hub on the room's network (mDNS) for join screens to offer.
    pub announce: Option<bool>,
    /// Balancers in front of the hub, whose X-Forwarded-For is believed.
    pub trusted_proxies: Option<Vec<std::net::IpAddr>>,
}

impl HubConfig {
    pub fn read(path: &Path) -> Result<Self, HubError> {
        let text = std::fs::read_to_string(path).map_err(|source| HubError::Io {
            path: path.into(),
            source,
        })?;
        let config: Self = toml::from_str(&text).map_err(|error| HubError::Config {
            path: path.into(),
            detail: error.to_string(),
        })?;
        if let Some(level) = &config.log_level
            && !["error", "warn", "info", "debug", "trace"].contains(&level.as_str())
        {
            return Err(HubError::Config {
                path: path.into(),
                detail: format!("log_level {level:?} is not error, warn, info, debug or trace"),
            });
        }
        Ok(config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<HubConfig, HubError> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("hub.toml");
        std::fs::write(&path, text).unwrap();
        HubConfig::read(&path)
    }

    #[test]
    fn the_settings_file_is_read_and_a_misspelt_or_wrong_setting_is_named() {
        let config = read(
            "data = \"/var/lib/quorum-hub\"\nlisten = \"0.0.0.0:7878\"\nlog_level = \"warn\"\n",
        )
        .unwrap();
        assert_eq!(
            config.data.as_deref(),
            Some(Path::new("/var/lib/quorum-hub"))
        );
        assert_eq!(config.listen, Some("0.0.0.0:7878".parse().unwrap()));
        assert_eq!(
            read("").unwrap(),
            HubConfig::default(),
            "an empty file sets nothing"
        );
        for wrong in [
            "lisen = \"0.0.0.0:7878\"",
            "listen = \"everywhere\"",
            "log_level = \"loud\"",
        ] {
            let error = read(wrong).unwrap_err().to_string();
            assert!(
                error.contains("hub.toml"),
                "{wrong}: the file is named: {error}"
            );
        }
    }
}
