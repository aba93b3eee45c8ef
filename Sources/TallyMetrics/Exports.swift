// The checked YAML reader moved down to TallyYAML so that TallyStore's source profiles can use
// it too; re-exported here so that code reading settings, fines or charts still finds it.
@_exported import TallyYAML
