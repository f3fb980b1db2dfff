import SalonOpsEmulatorKit
/// Stripe's fixed lists and limits that the emulator refuses by, with Stripe's messages.
enum StripeCatalog {
    /// Presentment currencies (https://docs.stripe.com/currencies, as listed in 2024; `usd` first, as
    /// Stripe's refusal lists them). Any account may create prices in these; the narrower per-country
    /// check ("Stripe accounts in US do not support …") is not emulated.
    static let currencies: [String] = [
        "usd", "aed", "afn", "all", "amd", "ang", "aoa", "ars", "aud", "awg", "azn", "bam", "bbd", "bdt", "bgn", "bif", "bmd",
        "bnd", "bob", "brl", "bsd", "bwp", "byn", "bzd", "cad", "cdf", "chf", "clp", "cny", "cop", "crc", "cve", "czk", "djf",
        "dkk", "dop", "dzd", "egp", "etb", "eur", "fjd", "fkp", "gbp", "gel", "gip", "gmd", "gnf", "gtq", "gyd", "hkd", "hnl",
        "htg", "huf", "idr", "ils", "inr", "isk", "jmd", "jpy", "kes", "kgs", "khr", "kmf", "krw", "kyd", "kzt", "lak", "lbp",
        "lkr", "lrd", "lsl", "mad", "mdl", "mga", "mkd", "mmk", "mnt", "mop", "mur", "mvr", "mwk", "mxn", "myr", "mzn", "nad",
        "ngn", "nio", "nok", "npr", "nzd", "pab", "pen", "pgk", "php", "pkr", "pln", "pyg", "qar", "ron", "rsd", "rub", "rwf",
        "sar", "sbd", "scr", "sek", "sgd", "shp", "sle", "sos", "srd", "std", "szl", "thb", "tjs", "top", "try", "ttd", "twd",
        "tzs", "uah", "ugx", "uyu", "uzs", "vnd", "vuv", "wst", "xaf", "xcd", "xof", "xpf", "yer", "zar", "zmw",
    ]
    static let currencySet = Set(currencies)

    /// The real refusal, e.g. for `zzz` (its shape as Stripe answered it, quoted in
    /// github.com/lukec/stripe-perl/issues/156): "Invalid currency: zzz. Stripe currently supports
    /// these currencies: usd, aed, …", on the `currency` parameter.
    static func unsupportedCurrency(_ given: String, param: String) -> StripeError {
        .invalid(
            "Invalid currency: \(given). Stripe currently supports these currencies: \(currencies.joined(separator: ", "))",
            param: param)
    }

    /// The longest recurring interval is three years: 3 years, 36 months, 156 weeks or 1095 days
    /// (docs.stripe.com/api/prices/create#create_price-recurring-interval_count).
    static let maximumIntervalCount = ["day": 1095, "week": 156, "month": 36, "year": 3]

    /// Stripe's message for a count over the limit, "The interval_count for yearly prices can't be
    /// greater than 1" when the limit was one year (github.com/Automattic/woocommerce-payments/issues/3255),
    /// with today's limits; `noun` is "prices" or "plans".
    static func checkIntervalCount(_ count: Int, interval: String, noun: String, param: String) throws(StripeError) {
        guard count >= 1 else { throw .invalid("Invalid \(param): must be greater than or equal to 1", param: param) }
        guard let limit = maximumIntervalCount[interval], count > limit else { return }
        let adjective = ["day": "daily", "week": "weekly", "month": "monthly", "year": "yearly"][interval] ?? interval
        throw .invalid("The interval_count for \(adjective) \(noun) can't be greater than \(limit)", param: param)
    }
}
