@_exported import TallyTime
