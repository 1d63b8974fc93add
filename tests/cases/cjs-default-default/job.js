// The runtime exposes exports.default of a babel-style CJS adaptor (default.default): defaultOnly and adaptorName exist only there.
defaultOnly('from default.default');
fn((state) => ({ ...state, name: adaptorName }));
