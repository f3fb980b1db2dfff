// What git hands over: refs that name no commit, damaged objects, and files over the size bounds.

extension CorpusCase {
    static let sourceCases: [CorpusCase] = [
        .source("unknown-branch", ref: "mian", says: ["unknown ref 'mian'", "did you mean 'main'"]),
        .source("unknown-tag", ref: "v9.9.9", says: ["unknown ref 'v9.9.9'", "git show-ref"]),
        .source("ref-names-the-root-tree", ref: "main^{tree}", says: ["'main^{tree}' is a tree, not a commit; pass a branch, tag or commit"]),
        .source("ref-names-a-folder", ref: "main:examples/salon-chain", says: ["is a tree, not a commit", "--path"]),
        .source("ref-names-a-blob", ref: "main:examples/salon-chain/organization.yaml", says: ["is a blob, not a commit; pass a branch, tag or commit"]),
        .source("ref-past-the-root", ref: "main~3", says: ["unknown ref 'main~3'", "history goes back that far"]),
        .source("ref-head-past-the-root", ref: "HEAD~1", says: ["unknown ref 'HEAD~1'", "history"]),
        .source("ref-bad-syntax", ref: "main..other", says: ["main..other"]),
        .source("path-misspelt", path: "examples/salon-chian", says: ["no folder 'examples/salon-chian'", "check --path"]),
        .source("path-is-a-file", path: "examples/salon-chain/organization.yaml", says: ["no folder", "--path"]),
        .source("path-leaves-the-tree", path: "examples/../..", says: ["no folder", "--path"]),
    ]

    static let objectCases: [CorpusCase] = [
        .damaged("blob-garbage", .garbage, says: ["is corrupt or missing", "git fsck"]),
        .damaged("blob-truncated", .truncated, says: ["is corrupt or missing", "git fsck"]),
        .damaged("blob-empty", .empty, says: ["is corrupt or missing"]),
        .damaged("blob-wrong-content", .wrongContent, says: ["is corrupt or missing"]),
        .damaged("blob-missing", .missing, says: ["missing from the object database"]),
        .damaged("tree-truncated", .truncatedTree, says: ["is corrupt or missing"]),
    ]

    static let sizeCases: [CorpusCase] = {
        let big = "# " + String(repeating: "x", count: 1023) + "\n"
        let documents = (0..<1_001).map {
            "---\napiVersion: salonops.io/v1\nkind: Product\nmetadata: {name: p\($0)}\nspec: {displayName: P, sku: S\($0), price: \"1.00 EUR\", vatRate: \"20%\"}\n"
        }
        let nodes = "apiVersion: salonops.io/v1\nkind: Product\nmetadata: {name: many}\nspec:\n  displayName: [" + String(repeating: "a, ", count: 260_000) + "a]\n"
        func deep(_ levels: Int) -> String { String(repeating: "[", count: levels) + String(repeating: "]", count: levels) + "\n" }
        return [
            .patch(
                "file-over-8-mib", .size, "yaml-limit", at: "catalogue/big.yaml:1:1", says: ["limit", "split it"],
                .write("catalogue/big.yaml", String(repeating: big, count: 9 * 1024))),
            .patch("too-many-documents", .size, "yaml-limit", at: "catalogue/many.yaml:5001:1", says: ["documents"], .write("catalogue/many.yaml", documents.joined())),
            .patch("too-many-nodes", .size, "yaml-limit", at: "catalogue/nodes.yaml:5:749978", says: ["nodes"], .write("catalogue/nodes.yaml", nodes)),
            .patch("nested-too-deep", .size, "yaml-limit", at: "catalogue/deep.yaml:1:65", says: ["nested more than 64"], .write("catalogue/deep.yaml", deep(100))),
            // Past libyaml's own bound (1,000), met while its scanner reads ahead: named at the start.
            .patch("nested-past-libyaml-bound", .size, "yaml-limit", at: "catalogue/deep.yaml:1:1", says: ["nested more than 64"], .write("catalogue/deep.yaml", deep(1_200))),
            .patch(
                "long-line", .size, "invalid-money", at: "\(Example.facials):11:10", says: ["..."], never: [String(repeating: "9", count: 100)],
                .replace(Example.facials, "price: \"65.00 EUR\"", "price: \"" + String(repeating: "9", count: 200_000) + ".00 EUR\"")),
        ]
    }()
}
