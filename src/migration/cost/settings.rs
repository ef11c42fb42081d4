//! How the bill is priced, chosen once for the run from the command line.

use crate::pricing::PriceBook;

/// How the bill is priced: chosen once for the run.
#[derive(Debug, Clone)]
pub(crate) struct CostSettings {
    pub prices: PriceBook,
    /// Spot prices change by the hour and are not in the Price List: the discount assumed on
    /// on-demand prices, in percent, for EC2 Spot and Fargate Spot alike.
    pub spot_discount: i64,
    /// `--instance-types`: node types to pack pods onto instead of the estate's own.
    pub instance_types: Vec<String>,
    /// `--auto-mode`: EKS Auto Mode runs the nodes (its fee is added).
    pub auto_mode: bool,
}

impl Default for CostSettings {
    fn default() -> Self {
        CostSettings {
            prices: PriceBook::default(),
            spot_discount: 60,
            instance_types: Vec::new(),
            auto_mode: false,
        }
    }
}
