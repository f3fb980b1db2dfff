// What a hostile (or careless) user commits: credentials where nobody looks, credentials quoted
// back, endpoints that would receive the key, one error that used to become many, links out of
// the tree, and YAML that grows exponentially once read.

extension CorpusCase {
    static let hostileCases: [CorpusCase] = {
        let o = Example.organization, s = Example.stripe, p = Example.paris
        let liveKey = "sk_live_" + "51CorpusCanary0123456789abcdef"
        let token = "Qx7vT2mK9pL4wZ8rN3bY6cF1hJ5dS0aE"
        let identity = "AGE-SECRET-KEY-1" + String(repeating: "QYQSZQGP", count: 7) + "QYQS"
        func laughs(_ name: String) -> String {
            var lines = [#"\#(name)0: &\#(name)0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]"#]
            for level in 1..<9 { lines.append("\(name)\(level): &\(name)\(level) [" + Array(repeating: "*\(name)\(level - 1)", count: 9).joined(separator: ",") + "]") }
            return lines.joined(separator: "\n") + "\n"
        }
        let endpoint = { (url: String) in Change.replace(s, "  drift: correct\n", "  drift: correct\n  endpoint: \"\(url)\"\n") }
        return [
            // Secrets where nobody looks.
            .patch(
                "aws-key-in-a-comment", .secrets, "secret-in-plaintext", at: "\(o):2:12", says: ["AWS access key"], never: ["AKIAIOSFODNN7CORPUS1"],
                .replace(o, "apiVersion: salonops.io/v1\n", "# backups: AKIAIOSFODNN7CORPUS1\napiVersion: salonops.io/v1\n")),
            .patch(
                "age-identity-committed", .secrets, "secret-in-plaintext", at: "keys/ops.txt:2:1", says: ["rotate", "decrypt every secret"], never: [identity],
                .write("keys/ops.txt", "# public key: age1corpus\n\(identity)\n")),
            .patch("key-in-a-readme", .secrets, "secret-in-plaintext", at: "README.md:3:11", never: [liveKey], .write("README.md", "# Notes\n\nLive key: \(liveKey)\n")),
            .patch(
                "key-in-a-script", .secrets, "secret-in-plaintext", at: "scripts/deploy.sh:2:19", never: [liveKey],
                .write("scripts/deploy.sh", "#!/bin/sh\nexport STRIPE_KEY=\(liveKey)\n")),
            .patch(
                "private-key-in-a-text-file", .secrets, "secret-in-plaintext", at: "certs/server.key:1:1", says: ["private key"],
                .write("certs/server.key", "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAcorpus\n-----END RSA PRIVATE KEY-----\n")),
            .patch(
                "plaintext-comment-in-a-sops-file", .secrets, "secret-in-plaintext", at: "secrets/stripe.sops.yaml:1:8", says: ["in clear"], never: [liveKey],
                .transform("secrets/stripe.sops.yaml", { Array("# old: \(liveKey)\n".utf8) + $0 })),
            // Values quoted back: a credential of any shape in each place a message quotes a value.
            .patch(
                "random-token-as-a-secret-reference", .quoted, "plaintext-credential", at: "\(s):14:15", never: [token],
                .replace(s, "secret: secrets/stripe.sops.yaml#stripe.secret_key", "secret: \(token)")),
            .patch(
                "random-token-as-a-field-name", .quoted, "unknown-field", at: "\(s):31:3", never: [token], .replace(s, "  drift: correct\n", "  drift: correct\n  \(token): true\n")
            ),
            .patch("random-token-as-a-boolean", .quoted, "wrong-type", at: "\(s):10:12", never: [token], .replace(s, "enabled: true", "enabled: \(token)")),
            .patch("random-token-as-a-name", .quoted, "dangling-reference", at: "\(s):11:20", never: [token], .replace(s, "establishments: all", "establishments: [\(token)]")),
            .patch(
                "aws-key-as-a-setting", .quoted, "secret-in-plaintext", at: "\(s):29:26", never: ["AKIAIOSFODNN7CORPUS1"],
                .replace(s, "statementDescriptor: BELLE EPOQUE", "statementDescriptor: AKIAIOSFODNN7CORPUS1")),
            // Endpoints that would receive the key.
            .patch("endpoint-plain-http-off-loopback", .endpoints, "unsafe-endpoint", at: "\(s):31:13", says: ["plain http", "https://"], endpoint("http://203.0.113.5:8080")),
            .patch(
                "endpoint-with-user-and-password", .endpoints, "unsafe-endpoint", at: "\(s):31:13", says: ["user name or password"], never: ["hunter2"],
                endpoint("https://ops:hunter2@api.stripe.com")),
            .patch(
                "endpoint-imitating-the-api-host", .endpoints, "unsafe-endpoint", at: "\(s):31:13", says: ["looks like api.stripe.com"],
                endpoint("https://api.stripe.com.example.net")),
            .patch("endpoint-one-letter-off", .endpoints, "unsafe-endpoint", at: "\(s):31:13", says: ["looks like api.stripe.com"], endpoint("https://api.strlpe.com")),
            .patch(
                "endpoint-brand-in-another-domain", .endpoints, "unsafe-endpoint", at: "\(s):31:13", says: ["looks like api.stripe.com"],
                endpoint("https://stripe-payments.example.org")),
            // The second in file order is named (stripe-lyon.yaml sorts before stripe.yaml).
            .patch(
                "two-integrations-on-one-account", .endpoints, "shared-account", at: "\(s):5:9", says: ["same Stripe account as 'stripe-lyon'"],
                .write(
                    "integrations/stripe-lyon.yaml",
                    "apiVersion: salonops.io/v1\nkind: Integration\nmetadata: {name: stripe-lyon}\nspec:\n  provider: stripe\n  enabled: true\n  credentials:\n    secretKey: {secret: \"secrets/stripe.sops.yaml#stripe.secret_key\"}\n"
                )),
            // One error that used to become many.
            .patch("tab-in-a-file-others-name", .cascades, "yaml-syntax", at: "\(p):9:1", says: ["tab character"], .replace(p, "spec:\n", "spec:\n\t\n")),
            .patch("sops-rules-unknown-field", .cascades, "sops-rules", at: ".sops.yaml:7:5", says: ["unknown field 'agee'"], .replace(".sops.yaml", "    age: ", "    agee: ")),
            .patch(
                "sops-rules-misspelt-list", .cascades, "sops-rules", at: ".sops.yaml:5:1", says: ["no creation_rules list", "'creation_rule'"],
                .replace(".sops.yaml", "creation_rules:", "creation_rule:")),
            // Links out of the tree.
            .patch(
                "symlink-to-an-absolute-path", .links, "symbolic-link", at: "integrations/passwd.yaml:1:1", says: ["outside the config tree"],
                .symlink("integrations/passwd.yaml", target: "/etc/passwd")),
            .patch(
                "symlink-up-and-out", .links, "symbolic-link", at: "catalogue/shared.yaml:1:1", says: ["outside the config tree"],
                .symlink("catalogue/shared.yaml", target: "../../../shared/catalogue.yaml")),
            // YAML that grows exponentially once read.
            .patch(
                "billion-laughs-in-a-config-file", .aliases, "yaml-limit", at: "catalogue/bomb.yaml:6:18", says: ["aliases are resolved"],
                .write("catalogue/bomb.yaml", laughs("l"))),
            .patch("alias-bomb-as-a-key", .aliases, "yaml-limit", at: "catalogue/bomb.yaml:6:18", .write("catalogue/bomb.yaml", laughs("k") + "? *k8\n: x\n")),
            .patch(
                "billion-laughs-in-a-sops-file", .aliases, "yaml-limit", at: "secrets/bomb.sops.yaml:6:18",
                .write("secrets/bomb.sops.yaml", laughs("s") + "sops: {version: 3.11.0}\n")),
            .patch("billion-laughs-in-sops-rules", .aliases, "yaml-limit", at: ".sops.yaml:6:18", .write(".sops.yaml", laughs("r") + "creation_rules: []\n")),
            .patch(
                "billion-laughs-in-webhook-events", .aliases, "yaml-limit", at: "\(s):19:226",
                .replace(
                    s, "      events:\n",
                    "      events: [&e0 [a,a,a,a,a,a,a,a,a], &e1 [*e0,*e0,*e0,*e0,*e0,*e0,*e0,*e0,*e0], &e2 [*e1,*e1,*e1,*e1,*e1,*e1,*e1,*e1,*e1], &e3 [*e2,*e2,*e2,*e2,*e2,*e2,*e2,*e2,*e2], &e4 [*e3,*e3,*e3,*e3,*e3,*e3,*e3,*e3,*e3], &e5 [*e4,*e4,*e4,*e4,*e4,*e4,*e4,*e4,*e4], &e6 [*e5,*e5,*e5,*e5,*e5,*e5,*e5,*e5,*e5]]\n      unused:\n"
                )),
        ]
    }()
}
