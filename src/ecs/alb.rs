//! What a stack says about the Application Load Balancer in front of a service: the target
//! group's health check and protocol, the listeners and rules that send traffic to it, and the
//! load balancer itself. Only CloudFormation carries this; describe-services names the target
//! group's ARN and nothing more.

use crate::json_path::JsonPath;

#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct HealthCheck {
    pub enabled: Option<bool>,
    pub path: Option<String>,
    /// A port number, or `traffic-port`.
    pub port: Option<String>,
    pub protocol: Option<String>,
    pub interval_seconds: Option<i64>,
    pub timeout_seconds: Option<i64>,
    pub healthy_threshold: Option<i64>,
    pub unhealthy_threshold: Option<i64>,
    /// The matcher's HTTP codes (`200-299`) or, for gRPC target groups, its gRPC codes.
    pub success_codes: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct TargetGroupSettings {
    pub path: JsonPath,
    pub protocol: Option<String>,
    pub protocol_version: Option<String>,
    pub target_type: Option<String>,
    pub health_check: HealthCheck,
    /// `key=value` pairs, in the template's order.
    pub attributes: Vec<(String, String)>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Listener {
    pub path: JsonPath,
    pub protocol: Option<String>,
    pub port: Option<i64>,
    pub certificates: Vec<String>,
    pub ssl_policy: Option<String>,
    /// The default action forwards to the service's target group.
    pub forwards_by_default: bool,
    /// The default action redirects to HTTPS on this port.
    pub redirects_to_https: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct ListenerRule {
    pub path: JsonPath,
    pub priority: Option<i64>,
    pub hosts: Vec<String>,
    pub paths: Vec<String>,
    /// Conditions other than host and path (`http-header`, `source-ip`, …), by field name.
    pub other_conditions: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct LoadBalancerSettings {
    pub logical_id: String,
    pub path: JsonPath,
    pub scheme: Option<String>,
    pub ip_address_type: Option<String>,
    pub attributes: Vec<(String, String)>,
    /// Fields the controller sets itself (subnets by tag, its own security groups, a
    /// generated name), so they are reported, not carried.
    pub not_carried: Vec<&'static str>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct AlbRouting {
    pub target_group: TargetGroupSettings,
    pub listeners: Vec<Listener>,
    /// The rules that forward to the target group, by ascending priority.
    pub rules: Vec<ListenerRule>,
    pub load_balancer: Option<LoadBalancerSettings>,
}
