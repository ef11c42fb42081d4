//! What the bill asks prices for, and what a price says about itself.

/// What a price is for. Instance prices are Linux, shared tenancy, on demand.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum PriceKey {
    Instance(String),
    /// EKS Auto Mode's management fee on an instance type.
    AutoModeFee(String),
    FargateVcpu,
    FargateGb,
    EksCluster,
    EksExtendedSupport,
    /// A load balancer by kind: `application`, `network`, `gateway`, `classic`.
    LoadBalancer(String),
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Price {
    pub usd_per_hour: f64,
    /// The file it was read from, or the bundled table with its date.
    pub source: String,
}

/// An instance type's size, for bin-packing pods onto it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct InstanceSpec {
    pub vcpu: i64,
    pub memory_mib: i64,
    /// Pods the EKS AMI allows on it (its ENI limit); None when not known.
    pub max_pods: Option<i64>,
}
