//! Price files as AWS writes them. `aws pricing get-products` prints
//! `{"PriceList": ["<JSON document>", …]}`, each entry a product with its terms in a string;
//! a bulk offer file holds `products` and `terms.OnDemand` keyed by SKU. Both come down to
//! products (service, family, attributes) with an hourly USD price, classified here into what
//! the bill needs. Products the bill has no use for are passed over.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{Map, Value};

use super::model::{InstanceSpec, PriceKey};
use crate::error::{Error, Result};
use crate::json_path::JsonPath;

/// A price file larger than this is refused: filter it (get-products `--filters`) first.
const MAX_PRICE_FILE_BYTES: u64 = 64 * 1024 * 1024;

#[derive(Debug, Clone, Default)]
pub(crate) struct PriceFile {
    pub name: String,
    pub prices: Vec<(String, PriceKey, f64)>,
    pub specs: BTreeMap<String, InstanceSpec>,
}

pub(crate) fn read_file(path: &Path) -> Result<PriceFile> {
    let name = path.display().to_string();
    let fail = |at: &JsonPath, message: String| Error::Field {
        file: name.clone(),
        path: at.clone(),
        message,
    };
    let root = JsonPath::root();
    let text = read_bounded(path).map_err(|m| fail(&root, m))?;
    let value: Value = serde_json::from_str(&text)
        .map_err(|e| fail(&root, format!("not valid JSON (line {}): {e}", e.line())))?;
    drop(text);
    let mut file = PriceFile {
        name: name.clone(),
        ..PriceFile::default()
    };
    if let Some(list) = value.get("PriceList") {
        let at = root.key("PriceList");
        let list = list
            .as_array()
            .ok_or_else(|| fail(&at, "expected a list".into()))?;
        for (i, entry) in list.iter().enumerate() {
            let product: Value = match entry {
                Value::String(s) => serde_json::from_str(s).map_err(|e| {
                    fail(
                        &at.index(i),
                        format!("is not a JSON document in a string: {e}"),
                    )
                })?,
                Value::Object(_) => entry.clone(),
                _ => {
                    return Err(fail(
                        &at.index(i),
                        "expected a JSON document in a string".into(),
                    ))
                }
            };
            let terms = product.pointer("/terms/OnDemand");
            take(&mut file, product.get("product"), terms);
        }
    } else if let Some(products) = value.get("products").and_then(Value::as_object) {
        for (sku, product) in products {
            let terms = value.pointer(&format!("/terms/OnDemand/{}", escape(sku)));
            take(&mut file, Some(product), terms);
        }
    } else {
        return Err(fail(
            &root,
            "is neither `aws pricing get-products` output (PriceList) nor a bulk offer file (products, terms)".into(),
        ));
    }
    if file.prices.is_empty() {
        return Err(fail(
            &root,
            "holds no price the bill uses (Linux shared-tenancy instances, Fargate, EKS, load balancers, hourly in USD)".into(),
        ));
    }
    Ok(file)
}

fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

fn read_bounded(path: &Path) -> std::result::Result<String, String> {
    let limit = MAX_PRICE_FILE_BYTES;
    crate::bounded::text(path, limit).map_err(|unread| match unread {
        crate::bounded::Unread::Io(e) => format!("cannot read: {e}"),
        crate::bounded::Unread::TooLarge => format!(
            "is larger than {} MiB; not read (filter it with get-products --filters)",
            limit >> 20
        ),
    })
}

/// Records the product's price when the bill uses it, and an instance's size.
fn take(file: &mut PriceFile, product: Option<&Value>, terms: Option<&Value>) {
    let Some(product) = product else { return };
    let attr = Attributes(product.get("attributes").and_then(Value::as_object));
    let Some(region) = Some(attr.get("regionCode")).filter(|r| !r.is_empty()) else {
        return;
    };
    let Some(key) = classify(product, &attr) else {
        return;
    };
    if let PriceKey::Instance(t) = &key {
        if let Some(spec) = spec(&attr) {
            file.specs.insert(t.clone(), spec);
        }
    }
    if let Some(usd) = terms.and_then(hourly_usd) {
        file.prices.push((region.to_string(), key, usd));
    }
}

/// A product's attributes; a missing one reads as empty.
struct Attributes<'a>(Option<&'a Map<String, Value>>);

impl<'a> Attributes<'a> {
    fn get(&self, key: &str) -> &'a str {
        self.0
            .and_then(|m| m.get(key))
            .and_then(Value::as_str)
            .unwrap_or("")
    }
}

fn classify(product: &Value, attr: &Attributes) -> Option<PriceKey> {
    let family = product
        .get("productFamily")
        .and_then(Value::as_str)
        .unwrap_or("");
    let usage = attr.get("usagetype");
    let service = attr.get("servicecode");
    let instance = attr.get("instanceType");
    match service {
        "AmazonEC2" if family == "Compute Instance" && !instance.is_empty() => {
            let linux = attr.get("operatingSystem") == "Linux"
                && attr.get("tenancy") == "Shared"
                && matches!(attr.get("preInstalledSw"), "" | "NA")
                && matches!(attr.get("capacitystatus"), "" | "Used");
            linux.then(|| PriceKey::Instance(instance.to_string()))
        }
        "AmazonEKS" if !instance.is_empty() => Some(PriceKey::AutoModeFee(instance.to_string())),
        "AmazonEKS" | "AmazonECS" if usage.contains("SpotUsage") => None,
        "AmazonEKS" | "AmazonECS" if usage.contains("Fargate-vCPU-Hours") => {
            Some(PriceKey::FargateVcpu)
        }
        "AmazonEKS" | "AmazonECS" if usage.contains("Fargate-GB-Hours") => {
            Some(PriceKey::FargateGb)
        }
        "AmazonEKS" if usage.to_ascii_lowercase().contains("extendedsupport") => {
            Some(PriceKey::EksExtendedSupport)
        }
        "AmazonEKS" if usage.contains("AmazonEKS-Hours") => Some(PriceKey::EksCluster),
        "AWSELB" if usage.contains("LoadBalancerUsage") => {
            let kind = match family {
                "Load Balancer-Application" => "application",
                "Load Balancer-Network" => "network",
                "Load Balancer-Gateway" => "gateway",
                "Load Balancer" => "classic",
                _ => return None,
            };
            Some(PriceKey::LoadBalancer(kind.into()))
        }
        _ => None,
    }
}

/// The first on-demand price dimension charged per hour in USD.
fn hourly_usd(terms: &Value) -> Option<f64> {
    terms
        .as_object()?
        .values()
        .filter_map(|term| term.get("priceDimensions")?.as_object())
        .flat_map(|dims| dims.values())
        .filter(|d| {
            let unit = d.get("unit").and_then(Value::as_str).unwrap_or("");
            matches!(unit, "Hrs" | "hours" | "Hours" | "hrs")
        })
        .find_map(|d| d.pointer("/pricePerUnit/USD")?.as_str()?.parse().ok())
}

fn spec(attr: &Attributes) -> Option<InstanceSpec> {
    let vcpu = attr.get("vcpu").parse().ok()?;
    let gib: f64 = attr
        .get("memory")
        .trim_end_matches("GiB")
        .trim()
        .replace(',', "")
        .parse()
        .ok()?;
    Some(InstanceSpec {
        vcpu,
        memory_mib: (gib * 1024.0).round() as i64,
        max_pods: None,
    })
}
