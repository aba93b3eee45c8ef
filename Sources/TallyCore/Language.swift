/// The language of published text (bulletins, charts, figure definitions): Korean or English.
/// Here, low in the modules, so that figure definitions need not import charts.
public enum Language: String, CaseIterable, Sendable { case ko, en }
