package goldplan

// OperationType says whether to open or close a feature.
type OperationType string

// Operation types.
const (
	OperationTypeOpen  OperationType = "OPEN"  // open the feature
	OperationTypeClose OperationType = "CLOSE" // close the feature
)

// Values returns the operation types known to this SDK.
func (OperationType) Values() []OperationType {
	return []OperationType{OperationTypeOpen, OperationTypeClose}
}

// PayScene is the payment scene the gold plan page is opened for.
type PayScene string

// Pay scenes.
const (
	PaySceneJSAPIAndMiniProgram PayScene = "JSAPI_AND_MINIPROGRAM" // JSAPI payments and mini programs
	PaySceneJSAPI               PayScene = "JSAPI"                 // JSAPI payments only
	PaySceneMiniProgram         PayScene = "MINIPROGRAM"           // mini programs only
)

// Values returns the pay scenes known to this SDK.
func (PayScene) Values() []PayScene {
	return []PayScene{PaySceneJSAPIAndMiniProgram, PaySceneJSAPI, PaySceneMiniProgram}
}

// IndustryFilter is an advertising industry (同业过滤标签): adverts of the
// industries set as filters are not shown to the sub-merchant's payers.
// Values are spelled exactly as the API spells them, including its
// historical misspellings (POTOGRAPHY, BUSSINESS, INDUSTY); the constant
// names are spelled correctly.
type IndustryFilter string

// Advertising industries.
const (
	IndustryFilterECommerce        IndustryFilter = "E_COMMERCE"        // general e-commerce platforms
	IndustryFilterLoveMarriage     IndustryFilter = "LOVE_MARRIAGE"     // dating and marriage
	IndustryFilterPhotography      IndustryFilter = "POTOGRAPHY"        // photography studios and services (API spelling)
	IndustryFilterEducation        IndustryFilter = "EDUCATION"         // education
	IndustryFilterFinance          IndustryFilter = "FINANCE"           // finance
	IndustryFilterTourism          IndustryFilter = "TOURISM"           // travel
	IndustryFilterSkincare         IndustryFilter = "SKINCARE"          // skincare and cosmetics
	IndustryFilterFood             IndustryFilter = "FOOD"              // food
	IndustryFilterSport            IndustryFilter = "SPORT"             // sports and outdoors
	IndustryFilterJewelryWatch     IndustryFilter = "JEWELRY_WATCH"     // jewellery and watches
	IndustryFilterHealthcare       IndustryFilter = "HEALTHCARE"        // medical and health
	IndustryFilterBusiness         IndustryFilter = "BUSSINESS"         // business services (API spelling)
	IndustryFilterParenting        IndustryFilter = "PARENTING"         // parenting
	IndustryFilterCatering         IndustryFilter = "CATERING"          // restaurants
	IndustryFilterRetail           IndustryFilter = "RETAIL"            // retail and department stores
	IndustryFilterServices         IndustryFilter = "SERVICES"          // local life services
	IndustryFilterLaw              IndustryFilter = "LAW"               // legal services
	IndustryFilterEstate           IndustryFilter = "ESTATE"            // real estate
	IndustryFilterTransportation   IndustryFilter = "TRANSPORTATION"    // transport
	IndustryFilterEnergySaving     IndustryFilter = "ENERGY_SAVING"     // energy saving and environment
	IndustryFilterSecurity         IndustryFilter = "SECURITY"          // security services
	IndustryFilterBuildingMaterial IndustryFilter = "BUILDING_MATERIAL" // home decoration and building materials
	IndustryFilterCommunication    IndustryFilter = "COMMUNICATION"     // telecom and IT services
	IndustryFilterMerchandise      IndustryFilter = "MERCHANDISE"       // daily goods
	IndustryFilterAssociation      IndustryFilter = "ASSOCIATION"       // institutions and associations
	IndustryFilterCommunity        IndustryFilter = "COMMUNITY"         // online news and communities
	IndustryFilterOnlineAVR        IndustryFilter = "ONLINE_AVR"        // online audio, video and reading
	IndustryFilterWeMedia          IndustryFilter = "WE_MEDIA"          // self-media
	IndustryFilterCar              IndustryFilter = "CAR"               // automobiles
	IndustryFilterSoftware         IndustryFilter = "SOFTWARE"          // software tools
	IndustryFilterGame             IndustryFilter = "GAME"              // games
	IndustryFilterClothing         IndustryFilter = "CLOTHING"          // apparel, shoes and bags
	IndustryFilterIndustry         IndustryFilter = "INDUSTY"           // industrial engineering (API spelling)
	IndustryFilterAgriculture      IndustryFilter = "AGRICULTURE"       // agriculture, forestry, husbandry, fishery
	IndustryFilterPublishingMedia  IndustryFilter = "PUBLISHING_MEDIA"  // publishing and media
	IndustryFilterHomeDigital      IndustryFilter = "HOME_DIGITAL"      // digital products and home appliances
)

// Values returns the 36 advertising industries known to this SDK, in the
// API's order.
func (IndustryFilter) Values() []IndustryFilter {
	return []IndustryFilter{
		IndustryFilterECommerce, IndustryFilterLoveMarriage, IndustryFilterPhotography, IndustryFilterEducation,
		IndustryFilterFinance, IndustryFilterTourism, IndustryFilterSkincare, IndustryFilterFood,
		IndustryFilterSport, IndustryFilterJewelryWatch, IndustryFilterHealthcare, IndustryFilterBusiness,
		IndustryFilterParenting, IndustryFilterCatering, IndustryFilterRetail, IndustryFilterServices,
		IndustryFilterLaw, IndustryFilterEstate, IndustryFilterTransportation, IndustryFilterEnergySaving,
		IndustryFilterSecurity, IndustryFilterBuildingMaterial, IndustryFilterCommunication, IndustryFilterMerchandise,
		IndustryFilterAssociation, IndustryFilterCommunity, IndustryFilterOnlineAVR, IndustryFilterWeMedia,
		IndustryFilterCar, IndustryFilterSoftware, IndustryFilterGame, IndustryFilterClothing,
		IndustryFilterIndustry, IndustryFilterAgriculture, IndustryFilterPublishingMedia, IndustryFilterHomeDigital,
	}
}
