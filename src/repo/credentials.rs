//! Registry credentials: `--username` with `--password-stdin`, else Helm's registry config
//! (`HELM_REGISTRY_CONFIG`, Docker's config.json format; Helm's default path when unset).

use std::path::PathBuf;

use base64::Engine;
use serde_json::Value;

#[derive(Clone)]
pub(crate) struct Credentials {
    pub username: String,
    pub password: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Credentials({}, ****)", self.username)
    }
}

/// Where Helm keeps registry logins.
pub(crate) fn registry_config_path() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("HELM_REGISTRY_CONFIG").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    let config_home = std::env::var_os("HELM_CONFIG_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("XDG_CONFIG_HOME").map(|x| PathBuf::from(x).join("helm")))
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config/helm")))?;
    Some(config_home.join("registry/config.json"))
}

/// The login stored for `host` (`host:port`) in a Docker-format config file.
pub(crate) fn from_registry_config(host: &str) -> Option<Credentials> {
    let text = std::fs::read_to_string(registry_config_path()?).ok()?;
    let config: Value = serde_json::from_str(&text).ok()?;
    let auths = config.get("auths")?.as_object()?;
    let entry = auths
        .iter()
        .find(|(k, _)| {
            let k = k
                .trim_start_matches("https://")
                .trim_start_matches("http://");
            k.trim_end_matches('/') == host
        })?
        .1;
    if let Some(auth) = entry.get("auth").and_then(Value::as_str) {
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(auth.trim())
            .ok()?;
        let text = String::from_utf8(decoded).ok()?;
        let (username, password) = text.split_once(':')?;
        return Some(Credentials {
            username: username.into(),
            password: password.into(),
        });
    }
    Some(Credentials {
        username: entry.get("username")?.as_str()?.into(),
        password: entry.get("password")?.as_str()?.into(),
    })
}

pub(crate) fn basic_header(c: &Credentials) -> String {
    let raw = format!("{}:{}", c.username, c.password);
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(raw)
    )
}
