// `pg/lib/utils.js` (pg-cursor requires it for `prepareValue`): the bridge's value helpers.
import { escapeIdentifier, escapeLiteral, prepareValue } from "../values.js";
const utils = { prepareValue, escapeIdentifier, escapeLiteral };
export default utils;
export { utils as "module.exports" };
