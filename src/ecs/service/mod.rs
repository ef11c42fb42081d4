//! ECS services: what the service adds to its task definition (replicas, rollout, load
//! balancers, service discovery, placement, scaling). The model is in `model`; `read` and `extras`
//! read it from describe-services output, create-service input or CloudFormation.

mod extras;
mod model;
mod read;
mod task_ref;

pub(crate) use model::{
    CapacityMarket, CircuitBreaker, LoadBalancer, PlacementStrategy, Scaling, ServiceDefinition,
    ServiceExtras,
};

pub use read::coverage;
pub(crate) use read::read_service;
pub(crate) use task_ref::TaskRef;
