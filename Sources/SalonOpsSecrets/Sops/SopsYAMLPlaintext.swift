/// Plaintext YAML as sops reads and prints it (for `edit` and for files before encryption).
public enum SopsYAMLPlaintext {
    public static func parse(_ text: String) throws -> [SopsNode] { try SopsYAMLReader.parse(text) }
    public static func render(_ documents: [SopsNode]) -> String { SopsYAMLWriter.render(documents) }
}
