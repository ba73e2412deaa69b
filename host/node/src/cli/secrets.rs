//! `wavs secrets`: the operator's secrets of a service on its node — set (the value from
//! stdin or a file, never from the command line, where `ps` and shell history would show
//! it), list (names only) and delete. Each needs the node's API token.

use super::{CliResult, Ctx, output};
use serde_json::json;
use std::io::Read;
use std::path::Path;

/// The value as given: from `file`, else all of stdin, with one trailing newline (what
/// `echo` and editors add) taken off.
fn read_value(file: Option<&Path>) -> CliResult<String> {
    let mut text = match file {
        Some(path) => std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?,
        None => {
            let mut text = String::new();
            std::io::stdin().read_to_string(&mut text).map_err(|e| format!("cannot read the secret from stdin: {e}"))?;
            text
        }
    };
    if text.ends_with('\n') {
        text.pop();
        if text.ends_with('\r') {
            text.pop();
        }
    }
    if text.is_empty() {
        return Err("the secret is empty: pipe it on stdin (`wavs secrets set SERVICE NAME < file`) or pass --file PATH".into());
    }
    Ok(text)
}

/// `wavs secrets set SERVICE NAME [--file PATH]`.
pub async fn set(service: &str, name: &str, file: Option<&Path>, ctx: &Ctx) -> CliResult {
    let value = read_value(file)?;
    ctx.client().set_secret(service, name, &value).await.map_err(|e| e.to_string())?;
    if ctx.json {
        output::json(&json!({ "id": service, "set": name }));
    } else {
        println!("secret {name} of service {service} set on {}", ctx.client().base());
    }
    Ok(())
}

/// `wavs secrets list SERVICE`: names only.
pub async fn list(service: &str, ctx: &Ctx) -> CliResult {
    let answer = ctx.client().secret_names(service).await.map_err(|e| e.to_string())?;
    if ctx.json {
        output::json(&answer);
    } else if answer.names.is_empty() {
        println!("service {service} has no secrets on this node");
    } else {
        answer.names.iter().for_each(|name| println!("{name}"));
    }
    Ok(())
}

/// `wavs secrets delete SERVICE NAME`.
pub async fn delete(service: &str, name: &str, ctx: &Ctx) -> CliResult {
    ctx.client().delete_secret(service, name).await.map_err(|e| e.to_string())?;
    if ctx.json {
        output::json(&json!({ "id": service, "deleted": name }));
    } else {
        println!("secret {name} of service {service} deleted");
    }
    Ok(())
}
