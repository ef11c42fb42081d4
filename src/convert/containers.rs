//! Container basics: image, command and args with Docker's semantics, environment, working
//! directory, user and security settings, and which container is the main one.

use crate::deferred::Deferred;
use crate::ecs::task_definition::ContainerDefinition;
use crate::ecs::TaskDefinition;
use crate::error::FieldError;
use crate::json_path::Located;
use crate::report::Code;
use crate::report::Report;
use crate::workload::{Container, SecurityContext, Workload};

use super::image::parse_image;
use super::naming::{dns_label, unique};

/// Kubernetes expands `$(VAR)` in command, args and env values, and reads `$$` as a literal
/// `$`; ECS passes them verbatim. Every run of `$` that the expansion would read (two or more,
/// or one before `(`) is doubled, so the process sees exactly the ECS string; a lone `$HOME`
/// stays as it is.
pub(crate) fn escape_expansion(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '$' {
            out.push(c);
            continue;
        }
        let mut run = 1;
        while chars.peek() == Some(&'$') {
            chars.next();
            run += 1;
        }
        let doubled = run > 1 || chars.peek() == Some(&'(');
        out.extend(std::iter::repeat_n(
            '$',
            if doubled { run * 2 } else { run },
        ));
    }
    out
}

pub(crate) fn apply(
    td: &TaskDefinition,
    w: &mut Workload,
    report: &mut Report,
) -> Result<(), FieldError> {
    let mut names: Vec<String> = Vec::new();
    for def in &td.containers {
        let name = container_name(def, &names, report);
        names.push(name.clone());
        w.containers.push(container(def, name, report));
    }
    // The main container carries the chart's appVersion and is kubectl's default: the first
    // essential container that serves a port, else the first essential one.
    let main = td
        .containers
        .iter()
        .position(|c| c.essential.unwrap_or(true) && !c.port_mappings.is_empty())
        .or_else(|| {
            td.containers
                .iter()
                .position(|c| c.essential.unwrap_or(true))
        })
        .unwrap_or(0);
    w.containers[main].main = true;
    Ok(())
}

/// One container: what runs, its environment and its security settings.
fn container(def: &ContainerDefinition, name: String, report: &mut Report) -> Container {
    let escaped = |words: &Option<Deferred<Vec<String>>>| -> Vec<String> {
        words
            .as_ref()
            .and_then(Deferred::known)
            .into_iter()
            .flatten()
            .map(|s| escape_expansion(s))
            .collect()
    };
    let placeholders = [("command", &def.entry_point), ("args", &def.command)]
        .into_iter()
        .filter_map(|(key, words)| {
            let text = words.as_ref()?.placeholder()?;
            Some((key, text.to_string()))
        })
        .collect();
    let mut container = Container {
        name,
        essential: def.essential.unwrap_or(true),
        image: image_of(def, report),
        command: escaped(&def.entry_point),
        args: escaped(&def.command),
        deferred_argv: placeholders,
        working_dir: def.working_directory.clone(),
        stdin: def.interactive.unwrap_or(false),
        tty: def.pseudo_terminal.unwrap_or(false),
        ..Default::default()
    };
    for var in &def.environment {
        let value = escape_expansion(&var.value);
        if container.env.insert(var.name.clone(), value).is_some() {
            report.warn(
                Code::EnvDuplicate,
                &var.path,
                format!("environment variable {} is set more than once", var.name),
                "the last value wins, as in Docker",
            );
        }
    }
    container.security = security(def, report);
    if !container.essential {
        report.warn(
            Code::Essential,
            &def.path.key("essential"),
            format!("container {:?} is not essential", def.name),
            "unless another container waits for it to finish, it runs as a regular container: Kubernetes restarts it when it exits instead of leaving it stopped",
        );
    }
    container
}

fn security(def: &ContainerDefinition, report: &mut Report) -> SecurityContext {
    let mut security = SecurityContext {
        privileged: def.privileged,
        read_only_root_filesystem: def.readonly_root_filesystem,
        add_capabilities: def.capabilities_add.clone(),
        drop_capabilities: def.capabilities_drop.clone(),
        ..Default::default()
    };
    if let Some(Located { value: user, path }) = &def.user {
        apply_user(user, path, &mut security, report);
    }
    if def.privileged == Some(true) {
        report.warn(
            Code::Privileged,
            &def.path.key("privileged"),
            "the container runs privileged",
            "kept; the namespace needs the privileged Pod Security level, and EKS Fargate refuses it",
        );
    }
    security
}

/// A valid, unique DNS label for the container (reported when it differs).
fn container_name(
    def: &crate::ecs::task_definition::ContainerDefinition,
    taken: &[String],
    report: &mut Report,
) -> String {
    let mut name = dns_label(&def.name, 63);
    if name.is_empty() {
        name = "container".to_string();
    }
    let name = unique(name, taken, 63);
    if name != def.name {
        report.info(
            Code::Renamed,
            &def.path.key("name"),
            format!("container {:?} is named {name:?} in Kubernetes", def.name),
            "renamed to a valid DNS label",
        );
    }
    name
}

/// The image, or a visible placeholder when a deploy step was to fill it in.
fn image_of(
    def: &crate::ecs::task_definition::ContainerDefinition,
    report: &mut Report,
) -> crate::workload::Image {
    match &def.image {
        Some(image) => parse_image(image),
        None => {
            report.warn(
                Code::ImageMissing,
                &def.path.key("image"),
                "the container has no image (a deploy step fills it in)",
                "the repository is the placeholder REPLACE_ME in values.yaml; set it with --set",
            );
            crate::workload::Image {
                repository: "REPLACE_ME".into(),
                ..Default::default()
            }
        }
    }
}

/// ECS `user` is `user`, `uid`, `user:group` or `uid:gid`; only numbers can be carried over,
/// since names need the image's /etc/passwd.
fn apply_user(
    user: &str,
    path: &crate::json_path::JsonPath,
    security: &mut SecurityContext,
    report: &mut Report,
) {
    let (u, g) = match user.split_once(':') {
        Some((u, g)) => (u, Some(g)),
        None => (user, None),
    };
    let mut unresolved = Vec::new();
    match u.parse::<i64>() {
        Ok(uid) => security.run_as_user = Some(uid),
        Err(_) => unresolved.push(u),
    }
    if let Some(g) = g {
        match g.parse::<i64>() {
            Ok(gid) => security.run_as_group = Some(gid),
            Err(_) => unresolved.push(g),
        }
    }
    if !unresolved.is_empty() {
        report.warn(
            Code::Username,
            path,
            format!("user {user:?} names {} instead of numeric ids", unresolved.join(" and ")),
            "names cannot be resolved without the image; the image's USER applies unless you set containers.<name>.securityContext.runAsUser",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn convert(json: &str) -> (Workload, Report) {
        super::super::run_rules(json, &[apply]).unwrap()
    }

    #[test]
    fn dollars_reach_the_process_exactly() {
        // The round trip through Kubernetes' expansion is checked on rendered pods in the
        // integration tests; here, the escapes themselves.
        for (ecs, escaped) in [
            ("echo $$ pa$$word", "echo $$$$ pa$$$$word"),
            ("$(HOME) $$(HOME) $HOME", "$$(HOME) $$$$(HOME) $HOME"),
            ("$", "$"),
            ("a$(", "a$$("),
            ("$$$", "$$$$$$"),
        ] {
            assert_eq!(escape_expansion(ecs), escaped, "{ecs}");
        }
    }

    #[test]
    fn entry_point_is_command_and_command_is_args() {
        let (w, _) = convert(
            r#"{"containerDefinitions":[{"name":"app","image":"x","entryPoint":["sh","-c"],"command":["echo $(date) $HOME"]}]}"#,
        );
        let c = &w.containers[0];
        assert_eq!(c.command, ["sh", "-c"]);
        assert_eq!(c.args, ["echo $$(date) $HOME"]);
    }

    #[test]
    fn env_values_keep_their_exact_strings() {
        let (w, _) = convert(
            r#"{"containerDefinitions":[{"name":"app","image":"x","environment":[{"name":"A","value":"007"},{"name":"B","value":"yes"},{"name":"C","value":"{{ .Values.x }}"},{"name":"D","value":"$(X)"}]}]}"#,
        );
        let env = &w.containers[0].env;
        assert_eq!(env["A"], "007");
        assert_eq!(env["B"], "yes");
        assert_eq!(env["C"], "{{ .Values.x }}");
        assert_eq!(env["D"], "$$(X)");
    }

    #[test]
    fn numeric_user_maps_and_names_are_reported() {
        let (w, r) = convert(
            r#"{"containerDefinitions":[{"name":"a","image":"x","user":"1000:2000"},{"name":"b","image":"x","user":"redis"}]}"#,
        );
        assert_eq!(w.containers[0].security.run_as_user, Some(1000));
        assert_eq!(w.containers[0].security.run_as_group, Some(2000));
        assert_eq!(w.containers[1].security.run_as_user, None);
        assert!(r
            .findings
            .iter()
            .any(|f| f.code == Code::Username && f.pointer == "/containerDefinitions/1/user"));
    }

    #[test]
    fn main_container_is_the_first_essential_one_with_ports() {
        let (w, _) = convert(
            r#"{"containerDefinitions":[{"name":"log","image":"x","essential":false},{"name":"Web_App","image":"x","portMappings":[{"containerPort":80}]}]}"#,
        );
        assert!(w.containers[1].main);
        assert_eq!(w.containers[1].name, "web-app");
    }
}
