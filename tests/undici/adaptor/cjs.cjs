const undici = require('undici');
const sub = require('undici/lib/mock/mock-agent');
module.exports = { undici, same: undici.MockAgent === require('undici').MockAgent, sub: typeof sub };
