package gateway

// DropParam exposes dropParam to the tests.
var DropParam = dropParam
