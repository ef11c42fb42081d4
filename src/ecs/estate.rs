//! What one template says about the machinery behind its services, beyond the tasks: the EBS
//! volumes its instances mount, the Auto Scaling groups that run the cluster's instances and
//! the load balancers in front. Shared by every task definition read from the template; the
//! plan prices it and moves the volumes.

use super::instance_volume::InstanceVolume;

/// A template's estate, shared by the task definitions read from it.
pub(crate) type SharedEstate = std::sync::Arc<Estate>;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Estate {
    /// The template's file, so two templates' resources of the same logical ID stay apart.
    pub source: String,
    pub volumes: Vec<InstanceVolume>,
    pub groups: Vec<InstanceGroup>,
    pub load_balancers: Vec<LoadBalancer>,
}

/// An Auto Scaling group: what the cluster's instances cost today.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct InstanceGroup {
    pub logical_id: String,
    /// Instance types it launches (overrides first, else its launch template's or
    /// configuration's); empty when the template does not say.
    pub instance_types: Vec<String>,
    /// Instances it keeps: DesiredCapacity, else MinSize; None when neither is known.
    pub count: Option<i64>,
    /// Which property `count` comes from.
    pub count_source: &'static str,
    /// Percent of the instances above the on-demand base that run on spot.
    pub spot_percent: i64,
    pub on_demand_base: i64,
}

impl InstanceGroup {
    /// How many of `count` instances run on demand: the base, then the on-demand share of the
    /// rest, rounded up as Auto Scaling does.
    pub(crate) fn on_demand_of(&self, count: i64) -> i64 {
        let base = self.on_demand_base.min(count);
        let rest = count - base;
        base + (rest * (100 - self.spot_percent) + 99) / 100
    }
}

/// A load balancer of the template, by kind (`application`, `network`, `gateway`, `classic`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LoadBalancer {
    pub logical_id: String,
    pub kind: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn on_demand_share_keeps_the_base_and_rounds_up() {
        let g = |base, spot| InstanceGroup {
            logical_id: "G".into(),
            instance_types: vec![],
            count: Some(5),
            count_source: "DesiredCapacity",
            spot_percent: spot,
            on_demand_base: base,
        };
        assert_eq!(g(0, 100).on_demand_of(5), 0);
        assert_eq!(g(0, 0).on_demand_of(5), 5);
        assert_eq!(g(1, 75).on_demand_of(5), 2);
        assert_eq!(g(2, 50).on_demand_of(5), 4);
        assert_eq!(g(9, 100).on_demand_of(5), 5);
    }
}
