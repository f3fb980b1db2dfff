/// Namespace of the provider emulators (see SandboxServer).
public enum Sandbox {}
