package wasi

// RaceEnabled is raceEnabled for the external tests (package wasi_test).
const RaceEnabled = raceEnabled
