/// Holds the adapter target's place until the lead's adapter replaces it (SwiftPM needs a source
/// file in every target that Package.swift makes from the folder).
enum GoogleBusinessProfilePlaceholder {}
