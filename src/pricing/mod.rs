//! Hourly prices for the bill: read from price files the user hands over (`--prices`: `aws
//! pricing get-products` output or bulk offer files, see `read`), else from a small bundled
//! table that says its date and source (`bundled`). Every price carries where it came from, so
//! the plan can name it; a price nobody knows is `None`, never zero.

mod bundled;
mod model;
mod read;

use std::collections::BTreeMap;

pub(crate) use model::{InstanceSpec, Price, PriceKey};
pub(crate) use read::read_file;

/// Prices by region, from files first, then the bundled table.
#[derive(Debug, Clone, Default)]
pub(crate) struct PriceBook {
    given: BTreeMap<(String, PriceKey), Price>,
    specs: BTreeMap<String, InstanceSpec>,
    /// The files read, for the plan.
    pub files: Vec<String>,
}

impl PriceBook {
    /// Prices read from the files, in order (a later file's price for the same thing wins).
    pub(crate) fn from_files(files: Vec<read::PriceFile>) -> PriceBook {
        let mut book = PriceBook::default();
        for file in files {
            for (region, key, usd) in file.prices {
                let price = Price {
                    usd_per_hour: usd,
                    source: file.name.clone(),
                };
                book.given.insert((region, key), price);
            }
            book.specs.extend(file.specs);
            book.files.push(file.name);
        }
        book
    }

    pub(crate) fn price(&self, region: &str, key: &PriceKey) -> Option<Price> {
        if let Some(p) = self.given.get(&(region.to_string(), key.clone())) {
            return Some(p.clone());
        }
        bundled::price(region, key).map(|usd| Price {
            usd_per_hour: usd,
            source: bundled::SOURCE.to_string(),
        })
    }

    pub(crate) fn spec(&self, instance_type: &str) -> Option<InstanceSpec> {
        let bundled = bundled::spec(instance_type);
        let read = self.specs.get(instance_type).copied();
        match (read, bundled) {
            // Files give sizes but not pod limits.
            (Some(r), Some(b)) => Some(InstanceSpec {
                max_pods: b.max_pods,
                ..r
            }),
            (r, b) => r.or(b),
        }
    }

    /// Where prices come from, for the plan's header.
    pub(crate) fn sources(&self) -> Vec<String> {
        let mut out = self.files.clone();
        out.push(bundled::SOURCE.to_string());
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_price_wins_over_the_table_and_each_says_where_it_comes_from() {
        let file = read::PriceFile {
            name: "prices.json".into(),
            prices: vec![(
                "eu-west-1".into(),
                PriceKey::Instance("m6i.large".into()),
                0.2,
            )],
            specs: BTreeMap::new(),
        };
        let book = PriceBook::from_files(vec![file]);
        let m6i = book
            .price("eu-west-1", &PriceKey::Instance("m6i.large".into()))
            .unwrap();
        assert_eq!(
            (m6i.usd_per_hour, m6i.source.as_str()),
            (0.2, "prices.json")
        );
        let r6i = book
            .price("eu-west-1", &PriceKey::Instance("r6i.large".into()))
            .unwrap();
        assert!(r6i.source.contains("bundled"), "{}", r6i.source);
        assert_eq!(
            book.price("eu-west-1", &PriceKey::Instance("x9z.huge".into())),
            None
        );
        assert_eq!(
            book.price("mars-north-1", &PriceKey::EksCluster),
            None,
            "a region the table does not cover has no price"
        );
    }
}
