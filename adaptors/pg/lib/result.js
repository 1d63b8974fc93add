// `pg/lib/result.js` (pg-cursor requires it): the bridge's Result.
import { Result } from "../client.js";
export default Result;
export { Result as "module.exports" };
