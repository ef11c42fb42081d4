//! Ports and network mode. All containers of a pod share one network namespace, as in
//! `awsvpc` mode; host ports give way to a Service.

use crate::deferred::Deferred;
use crate::ecs::task_definition::PortMapping;
use crate::ecs::TaskDefinition;
use crate::error::FieldError;
use crate::report::Code;
use crate::report::Report;
use crate::workload::{Port, Workload};

use super::naming::{port_name, unique};

pub(crate) fn apply(
    td: &TaskDefinition,
    w: &mut Workload,
    report: &mut Report,
) -> Result<(), FieldError> {
    network_mode(td, w, report);
    let mut names: Vec<String> = Vec::new();
    let mut seen: Vec<(&Deferred<i64>, Deferred<&'static str>, usize)> = Vec::new();
    for (ci, (def, c)) in td
        .containers
        .iter()
        .zip(w.containers.iter_mut())
        .enumerate()
    {
        for pm in &def.port_mappings {
            let protocol = match &pm.protocol {
                Some(Deferred::Known(p)) if p == "udp" => Deferred::Known("UDP"),
                Some(Deferred::Placeholder(text)) => Deferred::Placeholder(text.clone()),
                _ => Deferred::Known("TCP"),
            };
            if let Some(&(_, _, other)) = seen
                .iter()
                .find(|(p, proto, _)| **p == pm.container_port && *proto == protocol)
            {
                if other == ci {
                    report.info(
                        Code::PortDuplicate,
                        &pm.path,
                        format!("port {} is mapped twice", pm.container_port),
                        "kept once",
                    );
                    continue;
                }
                // On ECS in bridge mode each container had its own network namespace; in a
                // pod the second bind would fail, so this container is left off, not lost.
                report.warn(
                    Code::PortClash,
                    &pm.path.key("containerPort"),
                    format!(
                        "port {}/{} is also used by container {:?}; containers of a pod share one network namespace",
                        pm.container_port, protocol, td.containers[other].name
                    ),
                    format!(
                        "container {:?} is off (containers.{}.enabled: false); move it to another port and turn it on, or convert it alone",
                        def.name, c.name
                    ),
                );
                c.disabled = true;
                c.ports.clear();
                seen.retain(|(_, _, owner)| *owner != ci);
                break;
            }
            c.ports.push(port(pm, protocol.clone(), &mut names, report));
            seen.push((&pm.container_port, protocol, ci));
        }
    }
    Ok(())
}

/// One port mapping as a named container port; a host port other than the container's is
/// reported, since clients reach the Service on the container port.
fn port(
    pm: &PortMapping,
    protocol: Deferred<&'static str>,
    names: &mut Vec<String>,
    report: &mut Report,
) -> Port {
    let differs = |h: &i64| pm.container_port.known() != Some(h);
    if let Some(host) = pm.host_port.filter(|h| *h != 0 && differs(h)) {
        report.warn(
            Code::HostPort,
            &pm.path.key("hostPort"),
            format!(
                "host port {host} maps to container port {}",
                pm.container_port
            ),
            "dropped; clients reach the Service on the container port",
        );
    }
    let wanted = port_name_for(pm, protocol.known().copied(), report);
    let name = unique(wanted, names, 15);
    names.push(name.clone());
    let app_protocol = pm.app_protocol.as_deref().map(|p| match p {
        "http2" => "kubernetes.io/h2c".to_string(),
        other => other.to_string(),
    });
    Port {
        name,
        container_port: pm
            .container_port
            .clone()
            .map(|p| u16::try_from(p).expect("range checked when read")),
        protocol,
        app_protocol,
    }
}

fn network_mode(td: &TaskDefinition, w: &mut Workload, report: &mut Report) {
    let mode = td.network_mode.as_deref();
    match mode {
        Some("host") => {
            w.host_network = true;
            report.warn(
                Code::Netmode,
                &td.path.key("networkMode"),
                "the task uses host networking",
                "hostNetwork: true; only one pod per node can bind each port",
            );
        }
        Some("none") => report.warn(
            Code::Netmode,
            &td.path.key("networkMode"),
            "the task has no network",
            "pods always have a network; restrict it with a NetworkPolicy",
        ),
        Some("bridge") => report.info(
            Code::NetmodeNote,
            &td.path.key("networkMode"),
            "bridge networking: containers become reachable on localhost from each other",
            "pod networking",
        ),
        _ => {}
    }
}

/// The port's name made a valid Kubernetes port name (reported when it changes), or one made
/// from the port number.
fn port_name_for(
    pm: &crate::ecs::task_definition::PortMapping,
    protocol: Option<&str>,
    report: &mut Report,
) -> String {
    // A port known only at deploy time has no number to be named after.
    let number = pm
        .container_port
        .known()
        .map(|p| format!("-{p}"))
        .unwrap_or_default();
    let fallback = match protocol {
        Some("UDP") => format!("udp{number}"),
        Some("TCP") => format!("port{number}"),
        _ => format!("port{number}"),
    };
    let wanted = pm.name.as_deref().and_then(port_name).unwrap_or(fallback);
    if let Some(original) = &pm.name {
        if original != &wanted {
            report.info(
                Code::PortName,
                &pm.path.key("name"),
                format!("port name {original:?} is not a valid Kubernetes port name"),
                format!("named {wanted:?}"),
            );
        }
    }
    wanted
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ecs;

    fn convert(json: &str) -> Result<(Workload, Report), FieldError> {
        let loaded = ecs::from_str(json, "t.json").unwrap();
        let mut w = Workload::new("t".into(), "t".into());
        let mut report = Report::default();
        super::super::containers::apply(&loaded.task, &mut w, &mut report).unwrap();
        apply(&loaded.task, &mut w, &mut report)?;
        Ok((w, report))
    }

    #[test]
    fn ports_get_valid_unique_names_and_protocols() {
        let (w, r) = convert(r#"{"networkMode":"bridge","containerDefinitions":[{"name":"a","image":"x","portMappings":[
            {"containerPort":8080,"hostPort":80,"name":"Web_Traffic_Port_Main"},{"containerPort":53,"protocol":"udp"},
            {"containerPort":9000,"appProtocol":"http2"}]}]}"#).unwrap();
        let ports = &w.containers[0].ports;
        assert_eq!(ports[0].name, "web-traffic-por");
        assert_eq!(ports[1].name, "udp-53");
        assert_eq!(ports[1].protocol, Deferred::Known("UDP"));
        assert_eq!(ports[2].app_protocol.as_deref(), Some("kubernetes.io/h2c"));
        assert!(r.findings.iter().any(|f| f.code == Code::HostPort));
    }

    #[test]
    fn a_port_two_bridge_containers_share_leaves_the_second_off_with_a_warning() {
        let (w, r) = convert(r#"{"networkMode":"bridge","containerDefinitions":[{"name":"a","image":"x","portMappings":[{"containerPort":80}]},{"name":"b","image":"x","portMappings":[{"containerPort":9000},{"containerPort":80}]}]}"#).unwrap();
        assert!(!w.containers[0].disabled && w.containers[1].disabled);
        assert!(
            w.containers[1].ports.is_empty(),
            "its ports leave the Service"
        );
        let clash = r
            .findings
            .iter()
            .find(|f| f.code == Code::PortClash)
            .unwrap();
        assert_eq!(
            clash.pointer,
            "/containerDefinitions/1/portMappings/1/containerPort"
        );
        assert!(
            clash.action.contains("containers.b.enabled"),
            "{}",
            clash.action
        );
    }
}
