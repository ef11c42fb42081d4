//! The target group an ECS service's tasks were registered in, as the cut-over binds to it.

use crate::deferred::Deferred;

/// The target group an ECS service registers its tasks in.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TargetGroup {
    /// The ARN, or the stack's name for it when the template only refers to it.
    pub name: String,
    /// Whether `name` is an ARN the controller can bind to as it is.
    pub is_arn: bool,
    /// The Service port the target group sends traffic to.
    pub port: Deferred<u16>,
    /// `ip` or `instance`: what the group registers, which a binding must match.
    pub target_type: &'static str,
    /// Seconds the load balancer drains a deregistered target (its deregistration delay).
    pub deregistration_delay: i64,
}

impl TargetGroup {
    /// What a binding can name: an ARN, or the placeholder a template's reference left for
    /// one (a logical ID is neither).
    pub(crate) fn binding_arn(&self) -> Option<&str> {
        (self.is_arn || self.name.starts_with("${")).then_some(self.name.as_str())
    }
}
